output "subscription" {
  description = "For inputs.gcp_pubsub.subscriptions: projects/PROJECT/subscriptions/NAME."
  value       = google_pubsub_subscription.exporter.id
}

output "topic" {
  description = "The topic the sink publishes to."
  value       = google_pubsub_topic.audit.id
}

output "dead_letter_topic" {
  description = "Where messages that are not LogEntries end up."
  value       = google_pubsub_topic.dead_letter.id
}
