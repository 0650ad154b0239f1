output "queue_urls" {
  description = "Shard => queue URL, for inputs.aws_eventbridge.queues of that shard's exporter."
  value       = { for k, q in aws_sqs_queue.events : k => q.url }
}

output "dead_letter_queue_urls" {
  description = "Shard => dead-letter queue URL (messages that were not events)."
  value       = { for k, q in aws_sqs_queue.dead_letter : k => q.url }
}

output "exporter_policy_arn" {
  description = "Attach to the exporter's role (IRSA, instance profile) or to the role named in inputs.aws_eventbridge.role_arn."
  value       = aws_iam_policy.exporter.arn
}

output "event_bus_arn" {
  description = "The central bus member accounts forward to (organization_id set), else null."
  value       = local.central ? aws_cloudwatch_event_bus.central[0].arn : null
}
