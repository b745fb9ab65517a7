// The playground's code editor: CodeMirror 6, bundled at build time by scripts/bundle-editor.mjs
// into www/vendor/editor.js (no CDN, works offline). The Rust app drives it through the small
// API on `window.StatelabEditor`; editors are identified by the handle `create` returns.
import { EditorState, Compartment } from '@codemirror/state';
import {
  EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter,
  drawSelection, hoverTooltip,
} from '@codemirror/view';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import {
  bracketMatching, foldGutter, foldKeymap, indentOnInput, syntaxHighlighting,
  defaultHighlightStyle, HighlightStyle, syntaxTree,
} from '@codemirror/language';
import { closeBrackets, closeBracketsKeymap } from '@codemirror/autocomplete';
import { searchKeymap, highlightSelectionMatches } from '@codemirror/search';
import { lintGutter, setDiagnostics } from '@codemirror/lint';
import { json } from '@codemirror/lang-json';
import { yaml } from '@codemirror/lang-yaml';

const editors = new Map();
let nextId = 1;
let fieldHelp = {};

// The language an editor set to `name` shows for `doc`: 'json' or 'yaml'.
function kindFor(name, doc) {
  if (name === 'yaml' || name === 'json') return name;
  // auto: JSON when the text starts like JSON, YAML otherwise.
  const first = (doc || '').trimStart()[0];
  return first === '{' || first === '[' || first === undefined ? 'json' : 'yaml';
}

function languageFor(kind) {
  return kind === 'yaml' ? yaml() : json();
}

// Hover help on ASL field names: the word under the pointer, looked up in the table the app set.
const fieldHover = hoverTooltip((view, pos) => {
  const { from, to, text } = view.state.doc.lineAt(pos);
  let start = pos, end = pos;
  while (start > from && /[A-Za-z0-9_$.]/.test(text[start - from - 1])) start--;
  while (end < to && /[A-Za-z0-9_$.]/.test(text[end - from])) end++;
  if (start === end) return null;
  const word = text.slice(start - from, end - from);
  const help = fieldHelp[word] || fieldHelp[word.replace(/\.\$$/, '')];
  if (!help) return null;
  return {
    pos: start, end, above: true,
    create() {
      const dom = document.createElement('div');
      dom.className = 'sl-hover-help';
      dom.setAttribute('data-testid', 'field-help');
      const title = document.createElement('strong');
      title.textContent = word;
      const body = document.createElement('div');
      body.textContent = help;
      dom.append(title, body);
      return { dom };
    },
  };
});

const theme = EditorView.theme({
  '&': { height: '100%', fontSize: '13px' },
  '.cm-scroller': { fontFamily: 'var(--mono)', lineHeight: '1.5' },
  '.cm-gutters': { background: 'var(--panel)', color: 'var(--muted)', border: 'none' },
  '.cm-content': { caretColor: 'var(--fg)' },
  // The page's focus ring (:focus-visible in style.css), drawn inside the editor: CodeMirror's own
  // dotted outline did not show, so a keyboard user could not see the editor had focus (a QA pass).
  '&.cm-focused': { outline: '2px solid var(--accent)', outlineOffset: '-2px' },
  '&.cm-focused .cm-cursor': { borderLeftColor: 'var(--fg)' },
  '.cm-activeLine': { background: 'var(--active-line)' },
  '.cm-activeLineGutter': { background: 'var(--active-line)' },
  '.cm-tooltip': { background: 'var(--panel)', color: 'var(--fg)', border: '1px solid var(--border)' },
});

// CodeMirror's default highlighting, with each colour behind a CSS variable so the stylesheet's
// dark theme can give it one readable on a dark background (the default colours are made for a
// light one: `true` in #219 on #0d1117 is 1.4:1). Unset, a variable falls back to the default.
const syntaxColours = {
  '#404740': 'meta', '#708': 'keyword', '#219': 'atom', '#164': 'literal', '#a11': 'string',
  '#e40': 'escape', '#00f': 'definition', '#30a': 'local', '#085': 'type', '#167': 'class',
  '#256': 'macro', '#00c': 'property', '#940': 'comment', '#f00': 'invalid',
};
const highlightStyle = HighlightStyle.define(defaultHighlightStyle.specs.map((spec) => {
  const name = spec.color && syntaxColours[spec.color];
  return name ? { ...spec, color: `var(--syntax-${name}, ${spec.color})` } : spec;
}));

function create(parent, opts) {
  const id = nextId++;
  const lang = new Compartment();
  const editable = new Compartment();
  let silent = false;
  const kind = kindFor(opts.language || 'auto', opts.doc);
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: opts.doc || '',
      extensions: [
        lineNumbers(), highlightActiveLineGutter(), foldGutter(), drawSelection(),
        history(), indentOnInput(), bracketMatching(), closeBrackets(), highlightActiveLine(),
        highlightSelectionMatches(), syntaxHighlighting(highlightStyle),
        lintGutter(), fieldHover, theme,
        // Ctrl/Cmd+Enter is the playground's Run (a window listener): taken here first so that
        // CodeMirror's own binding (insert a blank line) does not also edit the text.
        keymap.of([{ key: 'Mod-Enter', run: () => true }, indentWithTab, ...closeBracketsKeymap, ...defaultKeymap, ...searchKeymap,
          ...historyKeymap, ...foldKeymap]),
        lang.of(languageFor(kind)),
        editable.of(EditorView.editable.of(!opts.readOnly)),
        EditorView.updateListener.of((u) => {
          if (u.docChanged && !silent && opts.onChange) opts.onChange(u.state.doc.toString());
        }),
        EditorView.contentAttributes.of({ 'aria-label': opts.label || 'editor', 'data-editor': opts.name || '' }),
      ],
    }),
  });
  editors.set(id, { view, lang, editable, name: opts.name || '', language: opts.language || 'auto', kind, diagnostics: 0, set: (text) => {
    silent = true;
    try {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    } finally {
      silent = false;
    }
  } });
  return id;
}

function reconfigure(e, kind) {
  if (kind === e.kind) return;
  e.kind = kind;
  e.view.dispatch({ effects: e.lang.reconfigure(languageFor(kind)) });
}

// The editor created with this name, if any (for tests and tools outside the app).
function named(name) {
  for (const e of editors.values()) if (e.name === name) return e;
  return null;
}

function get(id) {
  const e = editors.get(id);
  if (!e) throw new Error(`no editor ${id}`);
  return e;
}

window.StatelabEditor = {
  create,
  destroy(id) {
    const e = editors.get(id);
    if (e) { e.view.destroy(); editors.delete(id); }
  },
  getDoc(id) { return get(id).view.state.doc.toString(); },
  // The text of the editor created with this name (for tests and tools outside the app).
  textOf(name) {
    const e = named(name);
    return e ? e.view.state.doc.toString() : null;
  },
  // Replaces the text without calling onChange (the app already knows it).
  setDoc(id, text) {
    const e = get(id);
    if (e.view.state.doc.toString() !== text) e.set(text);
    // Only a change of language reconfigures (which parses the whole text again): the app calls
    // this after every edit, with the text the editor already holds.
    reconfigure(e, kindFor(e.language, text));
  },
  setLanguage(id, name) {
    const e = get(id);
    e.language = name;
    reconfigure(e, kindFor(name, e.view.state.doc.toString()));
  },
  // diags: [{from, to, severity: 'error'|'warning', message}] with UTF-16 offsets.
  setDiagnostics(id, diags) {
    const e = get(id);
    // None before and none now: nothing to redraw (the app sets them after every check).
    if (diags.length === 0 && e.diagnostics === 0) return;
    e.diagnostics = diags.length;
    const len = e.view.state.doc.length;
    const clamp = (n) => Math.max(0, Math.min(len, n | 0));
    e.view.dispatch(setDiagnostics(e.view.state, diags.map((d) => ({
      from: clamp(d.from), to: Math.max(clamp(d.from), clamp(d.to)),
      severity: d.severity === 'warning' ? 'warning' : 'error', message: d.message,
    }))));
  },
  // Puts the cursor at a UTF-16 offset, scrolls it into view and focuses the editor.
  goto(id, from, to) {
    const e = get(id);
    const len = e.view.state.doc.length;
    const a = Math.max(0, Math.min(len, from | 0));
    const b = Math.max(a, Math.min(len, (to === undefined ? from : to) | 0));
    e.view.dispatch({ selection: { anchor: a, head: b }, scrollIntoView: true });
    e.view.focus();
  },
  focus(id) { get(id).view.focus(); },
  setReadOnly(id, ro) { const e = get(id); e.view.dispatch({ effects: e.editable.reconfigure(EditorView.editable.of(!ro)) }); },
  setFieldHelp(table) { fieldHelp = table || {}; },
  // For tests: the top node of the syntax tree of the editor created with this name (`JsonText` or,
  // for YAML, `Stream`), or null.
  treeOf(name) {
    const e = named(name);
    return e ? syntaxTree(e.view.state).topNode.name : null;
  },
  // For tests and the syntax tree explorer: the node name at a position.
  nodeAt(id, pos) { const e = get(id); return syntaxTree(e.view.state).resolveInner(pos, 1).name; },
};
// The app does not wait for this script (it is deferred, the app's module is not): it creates its
// editors on this event.
window.dispatchEvent(new Event('statelab-editor-ready'));
