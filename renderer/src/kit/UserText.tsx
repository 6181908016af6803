import type { ReactNode } from 'react';

/**
 * Content that is not the console's own words: what people typed or named (listing titles, nicknames,
 * chat messages, notes, reasons written by staff, team and canned-reply names) and data values (order
 * numbers, usernames, references, hashes). It is shown as it is, in whatever language it was written, so
 * the language walk (electron/web-host/language.e2e.test.ts) skips it: mark only the content itself,
 * never the label or the sentence around it.
 */
export function UserText({ children, className }: { children: ReactNode; className?: string }) {
  return (
    <span data-user-content="" className={className}>
      {children}
    </span>
  );
}

/** The attribute alone, for an element that holds nothing but user content (a cell, a paragraph). */
export const USER_CONTENT = { 'data-user-content': '' } as const;

/**
 * A sentence built by the console around user content ("青柠 opened a dispute: 交付不符"): the given
 * parts, where they occur in it, are marked as user content and the rest stays interface text. Longer
 * parts are matched first, so a name inside a note is not split out of it.
 */
export function WithUserText({
  text,
  parts,
}: {
  text: string;
  parts: readonly (string | null | undefined)[];
}) {
  return <TextParts parts={splitUserText(text, parts)} />;
}

/** Parts of a text in order, the user ones marked (keyed by where each starts in the whole text). */
export function TextParts({ parts }: { parts: readonly TextPart[] }) {
  return <>{partsNodes(parts)}</>;
}

/** The same as a plain function (queue cells draw without a component per cell). */
export function partsNodes(parts: readonly TextPart[]): ReactNode[] {
  let at = 0;
  return parts.map((p) => {
    const key = at;
    at += p.text.length;
    return p.user ? (
      <span key={key} data-user-content="">
        {p.text}
      </span>
    ) : (
      p.text
    );
  });
}

export interface TextPart {
  text: string;
  user: boolean;
}

export function splitUserText(text: string, parts: readonly (string | null | undefined)[]): TextPart[] {
  const wanted = [...new Set(parts.map((p) => p?.trim()).filter((p): p is string => !!p))].sort(
    (a, b) => b.length - a.length,
  );
  let out: TextPart[] = [{ text, user: false }];
  for (const part of wanted) {
    out = out.flatMap((piece) => {
      if (piece.user || !piece.text.includes(part)) return [piece];
      const pieces = piece.text.split(part);
      return pieces.flatMap((t, i) => {
        const around: TextPart[] = t ? [{ text: t, user: false }] : [];
        return i < pieces.length - 1 ? [...around, { text: part, user: true }] : around;
      });
    });
  }
  return out;
}
