/** Follow a ticket: be notified of the customer's replies even when it is not yours. */
import { useEffect, useState } from 'react';
import { api, type TicketFollowOut } from '../api.ts';
import { useI18n } from '../i18n.ts';

export function FollowButton(props: { ticketId: string }) {
  const { t } = useI18n();
  const [state, setState] = useState<TicketFollowOut | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    setState(null);
    api.follow(props.ticketId).then(setState, () => {});
  }, [props.ticketId]);
  if (!state) return null;
  const others = state.followers.length - (state.following ? 1 : 0);
  return (
    <span className="follow">
      <button
        className={`btn btn-sm ${state.following ? 'btn-on' : 'btn-ghost'}`}
        aria-pressed={state.following}
        title={t('follow.hint')}
        disabled={busy}
        onClick={() => {
          setBusy(true);
          api.setFollow(props.ticketId, !state.following).then(setState, () => {}).finally(() => setBusy(false));
        }}
      >
        {state.following ? `✓ ${t('follow.following')}` : t('follow.follow')}
      </button>
      {others > 0 && <span className="muted small" title={state.followers.map((f) => f.name).join(', ')}>{t('follow.others', { n: state.followers.length })}</span>}
    </span>
  );
}
