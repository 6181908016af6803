import { fireEvent, screen } from '@testing-library/react';
import { useState } from 'react';
import { describe, expect, it } from 'vitest';
import { SHORTCUT_PRIORITY, useShortcut } from './shortcuts';
import { renderWithConsole } from './test/render';

function Counter({ label, withPane }: { label: string; withPane: boolean }) {
  const [n, setN] = useState(0);
  const [pane, setPane] = useState(0);
  useShortcut('j', () => setN((x) => x + 1), { zh: '下一条', en: 'Next' });
  return (
    <div>
      <output data-testid={label}>{n}</output>
      <output data-testid="pane">{pane}</output>
      {withPane && <Pane onA={() => setPane((x) => x + 1)} />}
      <input aria-label="field" />
    </div>
  );
}

function Pane({ onA }: { onA: () => void }) {
  useShortcut('j', onA, { zh: '面板', en: 'Pane' }, { priority: SHORTCUT_PRIORITY.pane });
  return null;
}

describe('keyboard shortcuts', () => {
  it('runs the newest registration for a key, and the older one again once it unmounts', () => {
    const view = renderWithConsole(<Counter label="list" withPane />);
    fireEvent.keyDown(window, { key: 'j' });
    expect(screen.getByTestId('pane').textContent).toBe('1');
    expect(screen.getByTestId('list').textContent).toBe('0');
    view.rerender(<Counter label="list" withPane={false} />);
    fireEvent.keyDown(window, { key: 'j' });
    expect(screen.getByTestId('list').textContent).toBe('1');
    expect(screen.getByTestId('pane').textContent).toBe('1');
  });

  it('leaves Enter on a focused button to the button', () => {
    let opened = 0;
    let pressed = 0;
    function Screen() {
      useShortcut('Enter', () => opened++, { zh: '打开', en: 'Open' });
      return (
        <button type="button" onClick={() => pressed++}>
          按钮
        </button>
      );
    }
    renderWithConsole(<Screen />);
    fireEvent.keyDown(screen.getByText('按钮'), { key: 'Enter' });
    expect(opened).toBe(0);
    fireEvent.keyDown(window, { key: 'Enter' });
    expect(opened).toBe(1);
    expect(pressed).toBe(0);
  });

  it('ignores letters typed into a field, and lists what is registered on ?', async () => {
    renderWithConsole(<Counter label="list" withPane={false} />);
    fireEvent.keyDown(screen.getByLabelText('field'), { key: 'j' });
    expect(screen.getByTestId('list').textContent).toBe('0');
    fireEvent.keyDown(window, { key: 'j' });
    expect(screen.getByTestId('list').textContent).toBe('1');
    fireEvent.keyDown(window, { key: '?' });
    const list = await screen.findByTestId('shortcut-list');
    expect(list.textContent).toContain('下一条');
  });

  it('lists a key whose action is not possible now with the reason, in the member’s language, and says it when pressed', async () => {
    let ran = 0;
    function Pane({ blocked }: { blocked: boolean }) {
      useShortcut(
        'a',
        () => ran++,
        { zh: '通过', en: 'Approve' },
        { blocked: blocked ? { zh: '请先认领', en: 'Claim it first' } : null },
      );
      return null;
    }
    const view = renderWithConsole(<Pane blocked />, { locale: 'en' });
    fireEvent.keyDown(window, { key: 'a' });
    expect(ran).toBe(0);
    expect((await screen.findByTestId('shortcut-blocked')).textContent).toBe('Approve: Claim it first');
    fireEvent.keyDown(window, { key: '?' });
    expect((await screen.findByTestId('shortcut-list')).textContent).toContain(
      'Approve (not possible now: Claim it first)',
    );
    view.rerender(<Pane blocked={false} />);
    fireEvent.keyDown(window, { key: 'a' });
    expect(ran).toBe(1);
  });
});
