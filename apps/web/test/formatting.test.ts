import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyFormat, continueList, formatShortcut } from '../src/ticket/formatting.ts';

/** `text` with the selection marked by [ and ] (a caret: []). */
function marked(text: string) {
  const from = text.indexOf('[');
  const to = text.indexOf(']') - 1;
  return { text: text.replace('[', '').replace(']', ''), from, to };
}
function show(e: { text: string; from: number; to: number }) {
  return e.text.slice(0, e.from) + '[' + e.text.slice(e.from, e.to) + ']' + e.text.slice(e.to);
}
function run(input: string, cmd: Parameters<typeof applyFormat>[3]) {
  const m = marked(input);
  return show(applyFormat(m.text, m.from, m.to, cmd));
}

describe('composer formatting', () => {
  it('wraps the selection in marks and keeps it selected; again removes them', () => {
    assert.equal(run('Your card is [unblocked] now', 'bold'), 'Your card is **[unblocked]** now');
    assert.equal(run('Your card is **[unblocked]** now', 'bold'), 'Your card is [unblocked] now');
    assert.equal(run('Your card is [**unblocked**] now', 'bold'), 'Your card is [unblocked] now');
    assert.equal(run('see [the docs ]here', 'italic'), 'see *[the docs]* here', 'spaces stay outside the marks');
    assert.equal(run('run []', 'code'), 'run `[]`', 'with no selection, the caret goes between the marks');
    assert.equal(run('a [b] c', 'strike'), 'a ~~[b]~~ c');
    assert.equal(run('**[bold]**', 'italic'), '***[bold]***', 'italic inside bold is added, not taken for a removal');
  });

  it('makes a link of the selection, with the address ready to be typed, or of a selected address', () => {
    assert.equal(run('read [the guide] first', 'link'), 'read [the guide](https://[]) first');
    assert.equal(run('at [https://acme.example/help]', 'link'), 'at [[link]](https://acme.example/help)');
  });

  it('turns every touched line into a list item or quote, numbers them, and undoes it on the same lines', () => {
    assert.equal(run('Steps:\n[Open the app\nTap Cards]\nDone', 'bullets'), 'Steps:\n[- Open the app\n- Tap Cards]\nDone');
    assert.equal(run('[Open the app\nTap Cards]', 'numbers'), '[1. Open the app\n2. Tap Cards]');
    assert.equal(run('[1. Open the app\n2. Tap Cards]', 'numbers'), '[Open the app\nTap Cards]');
    assert.equal(run('[- Open the app\n- Tap Cards]', 'numbers'), '[1. Open the app\n2. Tap Cards]', 'a bulleted list becomes numbered');
    assert.equal(run('You wrote: [the card]', 'quote'), '[> You wrote: the card]');
    assert.equal(run('[]', 'bullets'), '- []', 'an empty line becomes an item with the caret after its mark');
  });

  it('continues a list on Enter, numbered lists counting on, and ends it on an empty item', () => {
    const cont = (s: string) => {
      const m = marked(s);
      const e = continueList(m.text, m.from);
      return e && show(e);
    };
    assert.equal(cont('- Open the app[]'), '- Open the app\n- []');
    assert.equal(cont('1. Open the app[]'), '1. Open the app\n2. []');
    assert.equal(cont('  3) nested[]'), '  3) nested\n  4) []');
    assert.equal(cont('> quoted[]'), '> quoted\n> []');
    assert.equal(cont('- Open the app\n- []'), '- Open the app\n[]');
    assert.equal(cont('Just text[]'), null);
    assert.equal(cont('- Open[] the app'), null, 'Enter inside an item splits it as usual');
  });

  it('reads the shortcuts by key, and the shifted ones by physical key', () => {
    const k = (key: string, code: string, mods: Partial<{ ctrlKey: boolean; metaKey: boolean; shiftKey: boolean; altKey: boolean }>) =>
      formatShortcut({ key, code, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...mods });
    assert.equal(k('b', 'KeyB', { ctrlKey: true }), 'bold');
    assert.equal(k('i', 'KeyI', { metaKey: true }), 'italic');
    assert.equal(k('k', 'KeyK', { ctrlKey: true }), 'link');
    assert.equal(k('*', 'Digit8', { ctrlKey: true, shiftKey: true }), 'bullets');
    assert.equal(k('&', 'Digit7', { ctrlKey: true, shiftKey: true }), 'numbers');
    assert.equal(k('b', 'KeyB', {}), null, 'a plain b is typed');
    assert.equal(k('b', 'KeyB', { ctrlKey: true, altKey: true }), null);
  });
});
