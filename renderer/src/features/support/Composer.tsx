import { fieldLimits } from '@jiangxin/shared/forms';
import {
  CANNED_REPLY_VARIABLES,
  type CannedReply,
  hasEffects,
  renderTemplate,
  supportNoteBodySchema,
  supportReplyBodySchema,
  templateVariables,
} from '@jiangxin/shared/ops/support';
import { Button } from 'antd';
import { type KeyboardEvent, useEffect, useId, useRef, useState } from 'react';
import { useBridge } from '../../bridge';
import { useAction, useBridgeQuery } from '../../calls';
import { useT } from '../../i18n';
import { macroPreview, TYPING_SEND_EVERY_MS } from './model';
import { useSupportStrings } from './strings';

export type ComposerMode = 'reply' | 'note';

export interface ComposerSend {
  mode: ComposerMode;
  content: string;
  /** The canned reply the text came from (the core records it, and applies its effects if it is a macro). */
  cannedReplyId: number | null;
  /** That canned reply also changes the case (status, priority, tags) when sent. */
  macro: boolean;
}

/** The longest message or note the core takes (the reply's and the note's own schemas). */
const CONTENT_MAX = Math.min(
  fieldLimits(supportReplyBodySchema, 'content').maxLength ?? Number.POSITIVE_INFINITY,
  fieldLimits(supportNoteBodySchema, 'content').maxLength ?? Number.POSITIVE_INFINITY,
);

/** What `{{variables}}` of a canned reply become in this chat. */
export interface TemplateValues {
  customerNickname: string;
  orderNumber: string | null;
  agentNickname: string;
}

/** `/xx` just before the caret (at the start or after a space): the canned reply search being typed. */
function slashQuery(text: string, caret: number): { start: number; query: string } | null {
  const before = text.slice(0, caret);
  const m = /(^|\s)\/([^\s/]*)$/.exec(before);
  if (!m) return null;
  return { start: before.length - m[2]!.length - 1, query: m[2]! };
}

function matches(reply: CannedReply, query: string): boolean {
  if (!query) return true;
  const q = query.toLowerCase();
  return (
    (reply.shortcut ?? '').toLowerCase().includes(q) ||
    reply.title.toLowerCase().includes(q) ||
    reply.bodyZh.toLowerCase().includes(q)
  );
}

/**
 * The composer: reply to the customer or write a private note (tabs); Enter sends, Shift+Enter adds a
 * line (never while an input method is composing Chinese); `/` opens the canned replies, whose variables
 * are filled from this chat when one is picked. A canned reply with effects (a macro) says under the text
 * what sending will also do, and the send button says so too ("发送并设为已解决"). While replying, the
 * customer is told the agent is typing.
 */
export function Composer({
  caseId,
  values,
  onSend,
}: {
  caseId: number;
  values: TemplateValues;
  /** Resolves once the message is sent or queued; rejects with the problem (the text is kept). */
  onSend: (send: ComposerSend) => Promise<void>;
}) {
  const bridge = useBridge();
  const s = useSupportStrings();
  const { pick } = useT();
  const [mode, setMode] = useState<ComposerMode>('reply');
  const [text, setText] = useState('');
  // The canned reply the text came from (its id goes with the reply; its effects are previewed).
  const [picked, setPicked] = useState<CannedReply | null>(null);
  const [hint, setHint] = useState<string | null>(null);
  const sending = useAction(onSend);
  const { busy, error: problem, reset } = sending;
  const [slash, setSlash] = useState<{ start: number; query: string } | null>(null);
  const [wantCanned, setWantCanned] = useState(false);
  const [active, setActive] = useState(0);
  const area = useRef<HTMLTextAreaElement>(null);
  const lastTyping = useRef(0);
  // The text as last rendered, for a refused send (which comes back after other typing may have happened).
  const typed = useRef('');
  typed.current = text;
  const menuId = useId();
  const inputId = useId();

  // A different chat starts with an empty composer.
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset on caseId only
  useEffect(() => {
    setText('');
    setPicked(null);
    setSlash(null);
    setHint(null);
    reset();
    setMode('reply');
  }, [caseId]);

  // The canned replies are read the first time the menu opens.
  useEffect(() => {
    if (slash) setWantCanned(true);
  }, [slash]);
  const cannedRead = useBridgeQuery('cannedReplies.list', wantCanned ? {} : null);
  const canned: CannedReply[] | null = cannedRead.data?.items ?? null;
  const cannedProblem = cannedRead.error;

  const options = slash && canned ? canned.filter((r) => matches(r, slash.query)).slice(0, 8) : [];
  const menuOpen = mode === 'reply' && slash !== null;

  const fill = (reply: CannedReply) => {
    if (!slash) return;
    const filled = renderTemplate(reply.bodyZh, {
      'user.nickname': values.customerNickname,
      'agent.nickname': values.agentNickname,
      ...(values.orderNumber ? { 'order.number': values.orderNumber } : {}),
    });
    const caret = slash.start + 1 + slash.query.length;
    const next = text.slice(0, slash.start) + filled + text.slice(caret);
    setText(next);
    setPicked(reply);
    setSlash(null);
    setHint(null);
    const at = slash.start + filled.length;
    requestAnimationFrame(() => {
      area.current?.focus();
      area.current?.setSelectionRange(at, at);
    });
  };

  const unfilled = templateVariables(text).filter((v) =>
    (CANNED_REPLY_VARIABLES as readonly string[]).includes(v),
  );

  // A macro's effects apply to replies only (a note never carries the canned reply).
  const macro = mode === 'reply' && picked?.effects && hasEffects(picked.effects) ? picked.effects : null;
  const preview = macro ? macroPreview(macro, s, pick) : null;
  const sendLabel =
    mode === 'note'
      ? s('saveNote')
      : macro?.status === 'resolved'
        ? s('sendAndResolve')
        : macro
          ? s('sendAndUpdate')
          : s('send');

  const send = () => {
    const content = text.trim();
    if (!content) {
      setHint(s('emptyMessage'));
      return;
    }
    const canned = mode === 'reply' ? picked : null;
    const sent: ComposerSend = {
      mode,
      content,
      cannedReplyId: canned?.id ?? null,
      macro: Boolean(canned?.effects && hasEffects(canned.effects)),
    };
    setText('');
    typed.current = '';
    setPicked(null);
    void sending.run(sent).then((outcome) => {
      if (outcome.ok || typed.current) return;
      // Nothing is lost: the text (and the canned reply it came from) comes back unless something new
      // was typed meanwhile.
      setText(content);
      setPicked(canned);
    });
  };

  const onChange = (value: string, caret: number) => {
    setText(value);
    setHint(null);
    if (!value) setPicked(null);
    setSlash(mode === 'reply' ? slashQuery(value, caret) : null);
    setActive(0);
    if (mode === 'reply' && value && Date.now() - lastTyping.current > TYPING_SEND_EVERY_MS) {
      lastTyping.current = Date.now();
      bridge.call('chat.typing', { caseId }).catch(() => {});
    }
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    // An input method's Enter picks a candidate, it does not send.
    if (e.nativeEvent.isComposing || e.keyCode === 229) return;
    if (menuOpen) {
      if (e.key === 'Escape') {
        e.preventDefault();
        setSlash(null);
        return;
      }
      // While the canned replies are still loading, Enter waits for them rather than sending the "/".
      if (canned === null && e.key === 'Enter') {
        e.preventDefault();
        return;
      }
      if (options.length > 0) {
        if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
          e.preventDefault();
          const delta = e.key === 'ArrowDown' ? 1 : -1;
          setActive((i) => (i + delta + options.length) % options.length);
          return;
        }
        if (e.key === 'Enter' || e.key === 'Tab') {
          e.preventDefault();
          const chosen = options[Math.min(active, options.length - 1)];
          if (chosen) fill(chosen);
          return;
        }
      }
    }
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      if (!busy) send();
    }
  };

  const switchMode = (next: ComposerMode) => {
    setMode(next);
    setSlash(null);
    setHint(null);
    area.current?.focus();
  };

  const activeId = menuOpen && options[active] ? `${menuId}-${options[active].id}` : undefined;

  return (
    <div className={`composer composer-${mode}`}>
      <div className="composer-tabs" role="tablist" aria-label={s('composerTabs')}>
        <button
          type="button"
          role="tab"
          aria-selected={mode === 'reply'}
          aria-controls={inputId}
          className={mode === 'reply' ? 'composer-tab active' : 'composer-tab'}
          onClick={() => switchMode('reply')}
          data-testid="composer-reply-tab"
        >
          {s('tabReply')}
        </button>
        <button
          type="button"
          role="tab"
          aria-selected={mode === 'note'}
          aria-controls={inputId}
          className={mode === 'note' ? 'composer-tab active' : 'composer-tab'}
          onClick={() => switchMode('note')}
          data-testid="composer-note-tab"
        >
          🔒 {s('tabNote')}
        </button>
      </div>
      {menuOpen && (
        <div className="canned-menu" data-testid="canned-menu">
          <div className="small muted canned-head">
            {s('cannedMenu')} · {s('cannedHint')}
          </div>
          {cannedProblem && (
            <p className="problem small" role="alert">
              {cannedProblem}
            </p>
          )}
          {canned === null && !cannedProblem && <p className="muted small">{s('cannedLoading')}</p>}
          {canned !== null && options.length === 0 && <p className="muted small">{s('cannedEmpty')}</p>}
          {options.length > 0 && (
            <div role="listbox" id={menuId} aria-label={s('cannedMenu')}>
              {options.map((r, i) => (
                <div
                  key={r.id}
                  id={`${menuId}-${r.id}`}
                  role="option"
                  tabIndex={-1}
                  aria-selected={i === active}
                  className={i === active ? 'canned-option active' : 'canned-option'}
                  data-testid={`canned-option-${r.id}`}
                  // Keeps the focus (and the caret) in the composer.
                  onMouseDown={(e) => e.preventDefault()}
                  onClick={() => fill(r)}
                  onKeyDown={() => {}}
                >
                  <strong>{r.title}</strong>
                  {r.shortcut && <span className="muted"> /{r.shortcut}</span>}
                  <div className="small muted canned-body">{r.bodyZh}</div>
                </div>
              ))}
            </div>
          )}
        </div>
      )}
      <textarea
        ref={area}
        id={inputId}
        className="composer-input"
        value={text}
        rows={3}
        maxLength={CONTENT_MAX}
        aria-label={mode === 'reply' ? s('composerLabel') : s('noteComposerLabel')}
        aria-controls={menuOpen && options.length > 0 ? menuId : undefined}
        aria-activedescendant={activeId}
        placeholder={mode === 'reply' ? s('composerPlaceholder') : s('notePlaceholder')}
        onChange={(e) => onChange(e.target.value, e.target.selectionStart ?? e.target.value.length)}
        onKeyDown={onKeyDown}
        onBlur={() => setSlash(null)}
        data-testid="composer"
        data-mode={mode}
      />
      {mode === 'reply' && unfilled.length > 0 && (
        <output className="problem small support-block">
          {s('unfilled', { vars: unfilled.map((v) => `{{${v}}}`).join('、') })}
        </output>
      )}
      {preview && (
        <output className="small support-block composer-macro" data-testid="composer-macro">
          {preview}
        </output>
      )}
      {hint && <output className="muted small support-block">{hint}</output>}
      {problem && (
        <p className="problem small" role="alert" data-testid="composer-problem">
          {problem}
        </p>
      )}
      <div className="composer-actions">
        <Button type="primary" onClick={send} loading={busy} data-testid="composer-send">
          {sendLabel}
        </Button>
      </div>
    </div>
  );
}
