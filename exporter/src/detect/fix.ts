import type { DriftDraft } from './detector.js';

/** `import {}` needs the ID in the format `terraform import` takes for the type. */
function importId(d: DriftDraft): string {
  return d.resourceId;
}

function localName(id: string): string {
  const cleaned = id.split(/[/:]/).pop() ?? id;
  const name = cleaned.replace(/[^A-Za-z0-9_]/g, '_').replace(/^(\d)/, '_$1');
  return name === '' ? 'imported' : name;
}

export function suggestedFix(d: DriftDraft, eventName: string): string {
  switch (d.changeType) {
    case 'unmanaged':
      return [
        `${d.resourceType} ${d.resourceId} is not managed by any loaded Terraform state (created or changed by ${eventName}).`,
        `To adopt it: add\n  import {\n    to = ${d.resourceType}.${localName(d.resourceId)}\n    id = "${importId(d)}"\n  }`,
        'and run `terraform plan -generate-config-out=generated.tf`. If it should not exist, delete it.',
      ].join('\n');
    case 'missing': {
      const addr = d.resource?.address ?? `${d.resourceType}.?`;
      return [
        `${addr} was deleted outside Terraform (${eventName}).`,
        `To restore it: \`terraform apply\` recreates it.`,
        `If the deletion was intended: remove it from code and add\n  removed {\n    from = ${addr.replace(/\[.*\]$/, '')}\n    lifecycle { destroy = false }\n  }\nor run \`terraform state rm '${addr}'\`.`,
      ].join('\n');
    }
    case 'modified': {
      const addr = d.resource?.address ?? d.resourceType;
      const attrs = d.changes.map((c) => c.attribute).join(', ') || `(changed by ${eventName})`;
      return [
        `${addr}: ${attrs} changed outside Terraform (${eventName}).`,
        `To revert: \`terraform apply -target='${addr}'\` restores the values in code.`,
        'To keep the change: update the code to the new values, then `terraform apply -refresh-only` to record it in state.',
      ].join('\n');
    }
  }
}
