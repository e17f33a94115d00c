/**
 * The collision warning on a ticket page: this page says over the live connection that it views
 * the ticket, or replies to it while the composer holds text, and repeats it while it stays (the
 * server forgets a page that goes quiet); it shows who else is there, replying first.
 */
import { useEffect, useState } from 'react';
import { useI18n } from '../i18n.ts';
import { useInbox } from '../inbox/useInbox.ts';
import { sendPresence, type PresenceSignal } from '../realtime.ts';
import { useSession } from '../session.ts';

const REPEAT_MS = 20_000;

export function TicketPresence(props: { ticketId: string; replying: boolean }) {
  const { t } = useI18n();
  const inbox = useInbox();
  const { me } = useSession();
  const [people, setPeople] = useState<PresenceSignal['people']>([]);
  const state = props.replying ? 'replying' : 'viewing';

  useEffect(() => {
    setPeople([]);
    return () => sendPresence(props.ticketId, 'left');
  }, [props.ticketId]);

  useEffect(() => {
    sendPresence(props.ticketId, state);
    const timer = window.setInterval(() => sendPresence(props.ticketId, state), REPEAT_MS);
    const off = inbox.onPresence((s) => {
      if (s.type === 'resync') sendPresence(props.ticketId, state);
      else if (s.ticketId === props.ticketId) setPeople(s.people.filter((p) => p.userId !== me.user.id));
    });
    return () => {
      window.clearInterval(timer);
      off();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [props.ticketId, state, me.user.id]);

  if (!people.length) return null;
  const replying = people.filter((p) => p.state === 'replying').map((p) => p.name);
  const names = (list: string[]) => (list.length === 1 ? list[0]! : t('presence.and', { a: list.slice(0, -1).join(', '), b: list.at(-1)! }));
  const text = replying.length
    ? t(replying.length === 1 ? 'presence.replying' : 'presence.replyingMany', { names: names(replying) })
    : t(people.length === 1 ? 'presence.viewing' : 'presence.viewingMany', { names: names(people.map((p) => p.name)) });
  return (
    <p className={`presence ${replying.length ? 'presence-replying' : ''}`} role="status" data-testid="presence">
      {text}
    </p>
  );
}
