variable "name" {
  description = "Prefix of every resource (rule, queues, policy)."
  type        = string
  default     = "tfdrift"
}

variable "event_bus_name" {
  description = "Bus the rules listen on: \"default\" in a single account; ignored when organization_id creates the central bus."
  type        = string
  default     = "default"
}

variable "organization_id" {
  description = "o-xxxxxxxxxx: create a central bus that member accounts of this organisation forward to (see ./forwarder). Empty: single account."
  type        = string
  default     = ""
}

variable "shards" {
  description = "Queue per exporter shard: shard name => the account IDs it owns. An empty list means every account. One shard by default."
  type        = map(list(string))
  default     = { all = [] }
}

variable "kms_key_id" {
  description = "Customer-managed KMS key for the queues. Empty: SQS-managed encryption (SSE-SQS)."
  type        = string
  default     = ""
}

variable "visibility_timeout_seconds" {
  description = "How long a received message stays hidden before it is redelivered (the exporter deletes it after journaling)."
  type        = number
  default     = 60
}

variable "message_retention_seconds" {
  description = "How long events wait for an exporter that is down."
  type        = number
  default     = 345600
}

variable "max_receive_count" {
  description = "Receives before a message that is not an event moves to the dead-letter queue."
  type        = number
  default     = 5
}

variable "tags" {
  description = "Tags on every resource that takes them."
  type        = map(string)
  default     = {}
}
