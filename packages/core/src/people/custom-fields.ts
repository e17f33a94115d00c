import type { CreateCustomFieldInput, UpdateCustomFieldInput } from '@guichet/contracts';
import type { Deps } from '../deps.ts';
import type { Ctx } from '../shared/context.ts';
import { AppError } from '../shared/errors.ts';
import { recordAudit, recordEvent } from '../shared/record.ts';
import { authorize } from '../identity/permissions.ts';
import type { CustomField } from './types.ts';

export async function createCustomField(deps: Deps, ctx: Ctx, input: CreateCustomFieldInput): Promise<CustomField> {
  authorize(ctx.actor, 'custom_fields:manage');
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    const f = await tx.customFields.insert({
      id: deps.ids.uuid(),
      workspaceId: ctx.workspaceId,
      key: input.key,
      label: input.label,
      type: input.type,
      options: input.options,
      required: input.required,
      active: true,
      createdAt: now,
      updatedAt: now,
    });
    await recordEvent(tx, ctx, now, 'custom_field', f.id, 'custom_field.created', { key: f.key, type: f.type });
    await recordAudit(tx, ctx, now, 'custom_field.created', { type: 'custom_field', id: f.id }, { key: f.key, type: f.type });
    return f;
  });
}

export async function updateCustomField(deps: Deps, ctx: Ctx, id: string, input: UpdateCustomFieldInput): Promise<CustomField> {
  authorize(ctx.actor, 'custom_fields:manage');
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    const before = await tx.customFields.findById(ctx.workspaceId, id);
    if (!before) throw new AppError('CUSTOM_FIELD_NOT_FOUND', 'Custom field not found.');
    if (input.options && before.type !== 'select' && before.type !== 'multiselect' && input.options.length) {
      throw new AppError('VALIDATION_FAILED', 'Only select fields take options.', { issues: [{ path: ['options'], message: 'not a select field' }] });
    }
    if (input.options && (before.type === 'select' || before.type === 'multiselect') && input.options.length === 0) {
      throw new AppError('VALIDATION_FAILED', 'A select field needs at least one option.', { issues: [{ path: ['options'], message: 'empty' }] });
    }
    const f = await tx.customFields.update(ctx.workspaceId, id, { ...input, updatedAt: now });
    await recordEvent(tx, ctx, now, 'custom_field', id, 'custom_field.updated', { ...input });
    await recordAudit(tx, ctx, now, 'custom_field.updated', { type: 'custom_field', id }, { ...input });
    return f;
  });
}

export async function listCustomFields(deps: Deps, ctx: Ctx): Promise<CustomField[]> {
  authorize(ctx.actor, 'custom_fields:read');
  return deps.store.customFields.list(ctx.workspaceId);
}
