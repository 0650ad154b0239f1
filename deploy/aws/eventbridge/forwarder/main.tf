# In each member account: forward CloudTrail management write events from its default bus to
# the central bus that ../ creates with organization_id set. The event keeps its "account",
# so the central rules can shard by account.

variable "name" {
  description = "Prefix of the rule and role."
  type        = string
  default     = "tfdrift"
}

variable "central_event_bus_arn" {
  description = "event_bus_arn output of the central module."
  type        = string
}

variable "tags" {
  description = "Tags on every resource that takes them."
  type        = map(string)
  default     = {}
}

locals {
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

resource "aws_cloudwatch_event_rule" "forward" {
  name          = "${var.name}-forward-cloudtrail-writes"
  description   = "Forward CloudTrail management write calls to the tfdrift central bus"
  event_pattern = local.write_event_pattern
  tags          = var.tags
}

data "aws_iam_policy_document" "assume_events" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "put_central" {
  statement {
    actions   = ["events:PutEvents"]
    resources = [var.central_event_bus_arn]
  }
}

resource "aws_iam_role" "forward" {
  name               = "${var.name}-forward-to-central-bus"
  assume_role_policy = data.aws_iam_policy_document.assume_events.json
  tags               = var.tags
}

resource "aws_iam_role_policy" "forward" {
  name   = "put-events-central-bus"
  role   = aws_iam_role.forward.id
  policy = data.aws_iam_policy_document.put_central.json
}

resource "aws_cloudwatch_event_target" "central" {
  rule      = aws_cloudwatch_event_rule.forward.name
  target_id = "${var.name}-central-bus"
  arn       = var.central_event_bus_arn
  role_arn  = aws_iam_role.forward.arn
}
