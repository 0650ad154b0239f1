# CloudTrail management write events → EventBridge rule → SQS queue (one per shard), read by
# tfdrift's inputs.aws_eventbridge. EventBridge sees CloudTrail management events within
# seconds; no trail, S3 or Falco is in the path (a trail must exist for EventBridge to
# receive "AWS API Call via CloudTrail" events for services other than a few).

locals {
  central = var.organization_id != ""
  bus     = local.central ? aws_cloudwatch_event_bus.central[0].name : var.event_bus_name

  # Write management calls that succeeded: readOnly false, no errorCode (EventBridge's
  # "exists": false matches events without the field). Kept as JSON so tests can match it.
  write_event_pattern = <<-JSON
    {
      "detail-type": ["AWS API Call via CloudTrail"],
      "detail": {
        "readOnly": [false],
        "eventCategory": ["Management"],
        "errorCode": [{ "exists": false }]
      }
    }
  JSON
}

resource "aws_cloudwatch_event_bus" "central" {
  count = local.central ? 1 : 0
  name  = "${var.name}-central"
  tags  = var.tags
}

# Member accounts of the organisation may put events on the central bus (./forwarder does).
data "aws_iam_policy_document" "central_bus" {
  count = local.central ? 1 : 0
  statement {
    sid       = "OrganisationForwarders"
    actions   = ["events:PutEvents"]
    resources = [aws_cloudwatch_event_bus.central[0].arn]
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:PrincipalOrgID"
      values   = [var.organization_id]
    }
  }
}

resource "aws_cloudwatch_event_bus_policy" "central" {
  count          = local.central ? 1 : 0
  event_bus_name = aws_cloudwatch_event_bus.central[0].name
  policy         = data.aws_iam_policy_document.central_bus[0].json
}

resource "aws_sqs_queue" "dead_letter" {
  for_each                  = var.shards
  name                      = "${var.name}-${each.key}-dlq"
  message_retention_seconds = 1209600
  sqs_managed_sse_enabled   = var.kms_key_id == "" ? true : null
  kms_master_key_id         = var.kms_key_id == "" ? null : var.kms_key_id
  tags                      = var.tags
}

resource "aws_sqs_queue" "events" {
  for_each                   = var.shards
  name                       = "${var.name}-${each.key}"
  visibility_timeout_seconds = var.visibility_timeout_seconds
  message_retention_seconds  = var.message_retention_seconds
  receive_wait_time_seconds  = 20
  sqs_managed_sse_enabled    = var.kms_key_id == "" ? true : null
  kms_master_key_id          = var.kms_key_id == "" ? null : var.kms_key_id
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dead_letter[each.key].arn
    maxReceiveCount     = var.max_receive_count
  })
  tags = var.tags
}

resource "aws_cloudwatch_event_rule" "writes" {
  for_each       = var.shards
  name           = "${var.name}-${each.key}-cloudtrail-writes"
  description    = "CloudTrail management write calls for tfdrift (shard ${each.key})"
  event_bus_name = local.bus
  # A shard with accounts only gets their events (the event's top-level "account").
  event_pattern = length(each.value) == 0 ? local.write_event_pattern : jsonencode(merge(jsondecode(local.write_event_pattern), { account = each.value }))
  tags          = var.tags
}

resource "aws_cloudwatch_event_target" "queue" {
  for_each       = var.shards
  rule           = aws_cloudwatch_event_rule.writes[each.key].name
  event_bus_name = local.bus
  target_id      = "${var.name}-${each.key}-sqs"
  arn            = aws_sqs_queue.events[each.key].arn
}

# Only this rule may send to the queue.
data "aws_iam_policy_document" "queue" {
  for_each = var.shards
  statement {
    sid       = "EventBridgeRule"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.events[each.key].arn]
    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }
    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [aws_cloudwatch_event_rule.writes[each.key].arn]
    }
  }
}

resource "aws_sqs_queue_policy" "events" {
  for_each  = var.shards
  queue_url = aws_sqs_queue.events[each.key].id
  policy    = data.aws_iam_policy_document.queue[each.key].json
}

# What the exporter needs, nothing more: receive, delete (DeleteMessageBatch), hide poison.
data "aws_iam_policy_document" "exporter" {
  statement {
    sid       = "ConsumeEvents"
    actions   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"]
    resources = [for q in aws_sqs_queue.events : q.arn]
  }
  dynamic "statement" {
    for_each = var.kms_key_id == "" ? [] : [var.kms_key_id]
    content {
      sid       = "DecryptEvents"
      actions   = ["kms:Decrypt"]
      resources = [statement.value]
    }
  }
}

resource "aws_iam_policy" "exporter" {
  name        = "${var.name}-exporter"
  description = "tfdrift inputs.aws_eventbridge: read the CloudTrail event queues"
  policy      = data.aws_iam_policy_document.exporter.json
  tags        = var.tags
}
