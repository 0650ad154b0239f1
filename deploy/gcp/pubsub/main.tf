# Cloud Audit Logs (Admin Activity) → log sink → Pub/Sub topic → subscription, read by
# tfdrift's inputs.gcp_pubsub with streaming pull. Each message is one whole LogEntry, so the
# exporter sees protoPayload.request, serviceData.policyDelta and status (Falco's gcpaudit
# plugin passes neither the first two nor the status).

locals {
  # Admin Activity only: every write call, never data access.
  filter     = "log_id(\"cloudaudit.googleapis.com/activity\")"
  aggregated = var.organization_id != ""
}

data "google_project" "this" {
  project_id = var.project_id
}

resource "google_pubsub_topic" "audit" {
  project = var.project_id
  name    = var.name
  labels  = var.labels
}

resource "google_pubsub_topic" "dead_letter" {
  project = var.project_id
  name    = "${var.name}-dead-letter"
  labels  = var.labels
}

resource "google_pubsub_subscription" "exporter" {
  project                    = var.project_id
  name                       = var.name
  topic                      = google_pubsub_topic.audit.id
  ack_deadline_seconds       = var.ack_deadline_seconds
  message_retention_duration = var.message_retention_duration
  labels                     = var.labels

  expiration_policy {
    ttl = "" # never expires while the exporter is down
  }
  retry_policy {
    minimum_backoff = "10s"
    maximum_backoff = "600s"
  }
  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.dead_letter.id
    max_delivery_attempts = var.max_delivery_attempts
  }
}

resource "google_logging_project_sink" "audit" {
  count                  = local.aggregated ? 0 : 1
  project                = var.project_id
  name                   = var.name
  destination            = "pubsub.googleapis.com/${google_pubsub_topic.audit.id}"
  filter                 = local.filter
  unique_writer_identity = true
}

resource "google_logging_organization_sink" "audit" {
  count            = local.aggregated ? 1 : 0
  org_id           = var.organization_id
  name             = var.name
  destination      = "pubsub.googleapis.com/${google_pubsub_topic.audit.id}"
  filter           = local.filter
  include_children = true
}

# The sink's writer identity publishes to the topic.
resource "google_pubsub_topic_iam_member" "sink_writer" {
  project = var.project_id
  topic   = google_pubsub_topic.audit.name
  role    = "roles/pubsub.publisher"
  member  = local.aggregated ? google_logging_organization_sink.audit[0].writer_identity : google_logging_project_sink.audit[0].writer_identity
}

# Dead lettering: the Pub/Sub service agent forwards from the subscription to the dead-letter topic.
resource "google_pubsub_topic_iam_member" "dead_letter_publisher" {
  project = var.project_id
  topic   = google_pubsub_topic.dead_letter.name
  role    = "roles/pubsub.publisher"
  member  = "serviceAccount:service-${data.google_project.this.number}@gcp-sa-pubsub.iam.gserviceaccount.com"
}

resource "google_pubsub_subscription_iam_member" "dead_letter_subscriber" {
  project      = var.project_id
  subscription = google_pubsub_subscription.exporter.name
  role         = "roles/pubsub.subscriber"
  member       = "serviceAccount:service-${data.google_project.this.number}@gcp-sa-pubsub.iam.gserviceaccount.com"
}

resource "google_pubsub_subscription_iam_member" "exporter" {
  for_each     = toset(var.exporter_members)
  project      = var.project_id
  subscription = google_pubsub_subscription.exporter.name
  role         = "roles/pubsub.subscriber"
  member       = each.value
}
