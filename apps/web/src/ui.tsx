import type { TicketPriority, TicketStatus } from './api.ts';
import { useI18n } from './i18n.ts';

export function StatusBadge(props: { status: TicketStatus }) {
  const { t } = useI18n();
  return <span className={`badge st-${props.status}`}>{t(`status.${props.status}`)}</span>;
}

export function PriorityIcon(props: { priority: TicketPriority }) {
  const { t } = useI18n();
  if (props.priority === 'normal') return null;
  return <span role="img" className={`prio pr-${props.priority}`} title={t(`priority.${props.priority}`)} aria-label={t(`priority.${props.priority}`)} />;
}

export function Avatar(props: { name: string; kind?: 'customer' | 'agent' | 'system' }) {
  const initials = props.name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((p) => p[0]!.toUpperCase())
    .join('');
  let h = 0;
  for (const c of props.name) h = (h * 31 + c.charCodeAt(0)) % 360;
  return (
    <span className={`avatar av-${props.kind ?? 'agent'}`} style={props.kind === 'customer' ? { background: `hsl(${h} 45% 88%)`, color: `hsl(${h} 45% 28%)` } : undefined} aria-hidden="true">
      {initials || '?'}
    </span>
  );
}
