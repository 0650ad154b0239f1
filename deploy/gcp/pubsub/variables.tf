variable "project_id" {
  description = "Project that holds the topic and subscription (and whose audit logs the sink exports unless organization_id is set)."
  type        = string
}

variable "name" {
  description = "Prefix of the sink, topics and subscription."
  type        = string
  default     = "tfdrift-audit"
}

variable "organization_id" {
  description = "Numeric organisation ID: an aggregated sink exports every project's Admin Activity logs. Empty: this project only."
  type        = string
  default     = ""
}

variable "exporter_members" {
  description = "Who reads the subscription, e.g. [\"serviceAccount:tfdrift@PROJECT.iam.gserviceaccount.com\"] (Workload Identity or a key)."
  type        = list(string)
  default     = []
}

variable "ack_deadline_seconds" {
  description = "Lease of a delivered message; the client library extends it while the exporter journals."
  type        = number
  default     = 60
}

variable "max_delivery_attempts" {
  description = "Nacks before a message that is not a LogEntry moves to the dead-letter topic (5-100)."
  type        = number
  default     = 5
}

variable "message_retention_duration" {
  description = "How long entries wait for an exporter that is down."
  type        = string
  default     = "604800s"
}

variable "labels" {
  description = "Labels on the topics and subscription."
  type        = map(string)
  default     = {}
}
