// The `ai` snapshot, run in the node's isolated world of the page (page scripts cannot see or
// change what it keeps). It walks the DOM as an accessibility tree in the shape Playwright's
// AI snapshot prints (`- role "name" [props] [ref=e12]`), names visible elements that take
// pointer events with refs, and keeps ref -> element in this world for later actions. A ref
// stays with its element while the element keeps its role and name; frames of the same origin
// are walked too, their refs prefixed `f<N>`.
(() => {
  const state = (globalThis.__openclaw ||= {
    refs: new Map(),
    known: new WeakMap(),
    frames: new WeakMap(),
    lastRef: 0,
    lastFrame: 0,
    // Names this document, so a later snapshot knows whether it saw the same one.
    document: `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`,
  });

  const NAME_FROM_CONTENT = new Set([
    'button', 'cell', 'checkbox', 'columnheader', 'gridcell', 'heading', 'link', 'listitem',
    'menuitem', 'menuitemcheckbox', 'menuitemradio', 'option', 'radio', 'row', 'rowheader',
    'switch', 'tab', 'tooltip', 'treeitem',
  ]);
  const INPUT_ROLES = {
    button: 'button', submit: 'button', reset: 'button', image: 'button', file: 'button',
    checkbox: 'checkbox', radio: 'radio', range: 'slider', number: 'spinbutton',
    search: 'searchbox', email: 'textbox', tel: 'textbox', text: 'textbox', url: 'textbox',
    password: 'textbox', '': 'textbox',
  };
  const TAG_ROLES = {
    ARTICLE: 'article', ASIDE: 'complementary', BUTTON: 'button', DD: 'definition',
    DETAILS: 'group', DIALOG: 'dialog', DT: 'term', FIELDSET: 'group', FIGURE: 'figure',
    H1: 'heading', H2: 'heading', H3: 'heading', H4: 'heading', H5: 'heading', H6: 'heading',
    HR: 'separator', LI: 'listitem', MAIN: 'main', MENU: 'list', METER: 'meter', NAV: 'navigation',
    OL: 'list', OPTGROUP: 'group', OPTION: 'option', P: 'paragraph', PROGRESS: 'progressbar',
    TABLE: 'table', TBODY: 'rowgroup', TD: 'cell', TEXTAREA: 'textbox', TFOOT: 'rowgroup',
    TH: 'columnheader', THEAD: 'rowgroup', TR: 'row', UL: 'list', BLOCKQUOTE: 'blockquote',
    CODE: 'code', EM: 'emphasis', STRONG: 'strong', SUMMARY: 'button',
  };

  const clean = (text) => (text || '').replace(/[\s\u200b]+/g, ' ').trim();

  function role(el) {
    const explicit = (el.getAttribute('role') || '').trim().split(/\s+/)[0];
    if (explicit) return explicit;
    const tag = el.tagName;
    if (tag === 'A' || tag === 'AREA') return el.hasAttribute('href') ? 'link' : null;
    if (tag === 'INPUT') {
      const type = (el.getAttribute('type') || '').toLowerCase();
      if (type === 'hidden') return null;
      if (el.hasAttribute('list') && ['', 'text', 'search', 'email', 'tel', 'url'].includes(type))
        return 'combobox';
      return INPUT_ROLES[type] || 'textbox';
    }
    if (tag === 'SELECT') return el.multiple || el.size > 1 ? 'listbox' : 'combobox';
    if (tag === 'IMG') return el.getAttribute('alt') === '' ? 'presentation' : 'img';
    if (tag === 'SECTION') return name(el, 'region') ? 'region' : null;
    if (tag === 'FORM') return name(el, 'form') ? 'form' : null;
    if (tag === 'HEADER' || tag === 'FOOTER') {
      if (el.closest('article,aside,main,nav,section')) return null;
      return tag === 'HEADER' ? 'banner' : 'contentinfo';
    }
    return TAG_ROLES[tag] || null;
  }

  function labelsOf(el) {
    if (el.labels && el.labels.length) return [...el.labels];
    return [];
  }

  function textOf(node) {
    if (node.nodeType === Node.TEXT_NODE) return node.textContent;
    if (node.nodeType !== Node.ELEMENT_NODE || hidden(node)) return '';
    if (node.tagName === 'INPUT' && ['submit', 'button', 'reset'].includes(node.type)) return node.value;
    if (node.tagName === 'IMG') return node.getAttribute('alt') || '';
    const label = node.getAttribute('aria-label');
    if (label) return label;
    let out = '';
    for (const child of node.childNodes) {
      const block = child.nodeType === 1 && getComputedStyle(child).display.startsWith('block');
      out += block ? ` ${textOf(child)} ` : textOf(child);
    }
    return out;
  }

  function name(el, r) {
    const labelledBy = el.getAttribute('aria-labelledby');
    if (labelledBy) {
      const doc = el.ownerDocument;
      const text = labelledBy.split(/\s+/).map((id) => doc.getElementById(id)).filter(Boolean)
        .map((n) => textOf(n)).join(' ');
      if (clean(text)) return clean(text);
    }
    const aria = el.getAttribute('aria-label');
    if (clean(aria)) return clean(aria);
    const tag = el.tagName;
    if (['INPUT', 'SELECT', 'TEXTAREA', 'METER', 'PROGRESS', 'BUTTON'].includes(tag)) {
      const fromLabels = labelsOf(el).map((l) => textOf(l)).join(' ');
      if (clean(fromLabels)) return clean(fromLabels);
    }
    if (tag === 'INPUT') {
      const type = el.type;
      if (['submit', 'button', 'reset'].includes(type))
        return clean(el.value) || (type === 'submit' ? 'Submit' : type === 'reset' ? 'Reset' : '');
      if (type === 'image') return clean(el.getAttribute('alt')) || clean(el.title) || 'Submit';
      return clean(el.title) || clean(el.placeholder);
    }
    if (tag === 'IMG' || tag === 'AREA') return clean(el.getAttribute('alt')) || clean(el.title);
    if (tag === 'TEXTAREA' || tag === 'SELECT') return clean(el.title) || clean(el.placeholder);
    if (tag === 'FIELDSET') {
      const legend = el.querySelector(':scope > legend');
      if (legend) return clean(textOf(legend));
    }
    if (tag === 'TABLE') {
      const caption = el.querySelector(':scope > caption');
      if (caption) return clean(textOf(caption));
    }
    r = r === undefined ? role(el) : r;
    if (NAME_FROM_CONTENT.has(r)) return clean(textOf(el));
    return clean(el.title);
  }

  function hidden(el) {
    if (el.closest('[aria-hidden="true"]')) return true;
    const style = getComputedStyle(el);
    return style.display === 'none' || style.visibility === 'hidden';
  }

  function box(el) {
    const rect = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return {
      visible: rect.width > 0 && rect.height > 0 && style.visibility === 'visible',
      inline: style.display === 'inline',
      cursor: style.cursor,
      pointer: style.pointerEvents !== 'none',
    };
  }

  function props(el, r) {
    const out = [];
    if (r === 'heading') {
      const level = Number(el.getAttribute('aria-level')) || Number(el.tagName.slice(1));
      if (level) out.push(`level=${level}`);
    }
    if (el.getAttribute('aria-checked') === 'mixed' || el.indeterminate) out.push('checked=mixed');
    else if (el.checked === true || el.getAttribute('aria-checked') === 'true') out.push('checked');
    if (el.disabled === true || el.getAttribute('aria-disabled') === 'true') out.push('disabled');
    const expanded = el.getAttribute('aria-expanded');
    if (expanded === 'true') out.push('expanded');
    if (el.getAttribute('aria-pressed') === 'true') out.push('pressed');
    if (r === 'option' && (el.selected === true || el.getAttribute('aria-selected') === 'true'))
      out.push('selected');
    return out;
  }

  function refFor(el, r, n, prefix) {
    const known = state.known.get(el);
    if (known && known.role === r && known.name === n && state.refs.get(known.ref) === el) return known.ref;
    const ref = `${prefix}e${++state.lastRef}`;
    state.known.set(el, { role: r, name: n, ref });
    state.refs.set(ref, el);
    return ref;
  }

  function frameprefix(frame) {
    let n = state.frames.get(frame);
    if (!n) {
      n = ++state.lastFrame;
      state.frames.set(frame, n);
    }
    return `f${n}`;
  }

  // Builds { role, name, props, ref, cursor, children: [node | string] } for an element.
  function visit(el, parent, prefix, pointerAbove) {
    if (hidden(el)) return;
    if (el.tagName === 'SCRIPT' || el.tagName === 'STYLE' || el.tagName === 'NOSCRIPT' || el.tagName === 'TEMPLATE') return;
    const b = box(el);
    if (el.tagName === 'IFRAME') {
      const node = { role: 'iframe', name: '', props: [], children: [], ref: null, cursor: false };
      if (b.visible && b.pointer) node.ref = refFor(el, 'iframe', '', prefix);
      let doc = null;
      try { doc = el.contentDocument; } catch (e) { doc = null; }
      if (doc && doc.body) {
        const inner = frameprefix(el);
        for (const child of doc.body.childNodes) walk(child, node, inner, false);
      }
      parent.children.push(node);
      return;
    }
    let r = role(el) || 'generic';
    if (r === 'presentation' || r === 'none') {
      for (const child of el.childNodes) walk(child, parent, prefix, pointerAbove);
      return;
    }
    if (r === 'generic' && b.inline && el.childNodes.length === 1 && el.childNodes[0].nodeType === Node.TEXT_NODE) {
      walk(el.childNodes[0], parent, prefix, pointerAbove);
      return;
    }
    const n = name(el, r);
    const node = { role: r, name: n, props: props(el, r), children: [], ref: null, cursor: false };
    if (el === el.ownerDocument.activeElement) node.props.push('active');
    if (b.visible && b.pointer) node.ref = refFor(el, r, n, prefix);
    const pointer = b.cursor === 'pointer';
    node.cursor = pointer && !pointerAbove;
    if (r === 'link' && el.getAttribute('href') !== null) node.url = el.getAttribute('href');
    if (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA') {
      if (r === 'textbox' || r === 'searchbox' || r === 'spinbutton' || r === 'combobox') {
        if (el.value) node.children.push(el.value);
      }
    } else {
      for (const child of el.childNodes) walk(child, node, prefix, pointer);
    }
    if (el.shadowRoot) for (const child of el.shadowRoot.childNodes) walk(child, node, prefix, pointer);
    parent.children.push(node);
  }

  function walk(node, parent, prefix, pointerAbove) {
    if (node.nodeType === Node.TEXT_NODE) {
      const text = node.textContent;
      if (clean(text)) parent.children.push(text);
      else if (text && parent.children.length && typeof parent.children[parent.children.length - 1] === 'string')
        parent.children.push(' ');
      return;
    }
    if (node.nodeType === Node.ELEMENT_NODE) visit(node, parent, prefix, pointerAbove);
  }

  // Adjacent texts merge; a generic without a name that holds at most one child with a ref
  // gives way to it; a text that only repeats the name goes.
  function normalize(node) {
    const out = [];
    for (const child of node.children) {
      if (typeof child === 'string') {
        if (typeof out[out.length - 1] === 'string') out[out.length - 1] += child;
        else out.push(child);
        continue;
      }
      out.push(...normalize(child));
    }
    node.children = out.map((c) => (typeof c === 'string' ? clean(c) : c)).filter((c) => c !== '');
    if (node.children.length === 1 && node.children[0] === node.name) node.children = [];
    // An empty generic says nothing (an empty page's body).
    if (node.role === 'generic' && !node.name && !node.children.length) return [];
    const lone = node.children.length <= 1 && node.children.every((c) => typeof c !== 'string' && c.ref);
    if (node.role === 'generic' && !node.name && !node.ref && lone) return node.children;
    return [node];
  }

  const quote = (text) => JSON.stringify(text);
  function yamlText(text) {
    const plain = /^[^\s'"`\-?:,\[\]{}#&*!|>%@][^\n]*$/.test(text) && !/: |\s#|\s$/.test(text)
      && !/^(true|false|null|~|-?\d+(\.\d+)?)$/i.test(text);
    return plain ? text : quote(text);
  }

  const lines = [];
  let refs = {};
  function print(node, indent) {
    const pad = '  '.repeat(indent);
    if (typeof node === 'string') {
      lines.push(`${pad}- text: ${yamlText(node)}`);
      return;
    }
    let head = `${pad}- ${node.role}`;
    if (node.name) head += ` ${quote(node.name)}`;
    for (const p of node.props) head += ` [${p}]`;
    if (node.ref) {
      head += ` [ref=${node.ref}]`;
      refs[node.ref] = node.name ? { role: node.role, name: node.name } : { role: node.role };
    }
    if (node.cursor) head += ' [cursor=pointer]';
    const children = node.children;
    if (!node.url && children.length === 1 && typeof children[0] === 'string') {
      lines.push(`${head}: ${yamlText(children[0])}`);
      return;
    }
    if (!node.url && !children.length) {
      lines.push(head);
      return;
    }
    lines.push(`${head}:`);
    if (node.url !== undefined) lines.push(`${pad}  - /url: ${yamlText(node.url)}`);
    for (const child of children) print(child, indent + 1);
  }

  const root = { role: 'root', name: '', children: [] };
  const body = document.body || document.documentElement;
  if (body) visit(body, root, '', false);
  for (const node of normalize(root).flatMap((r) => r.children)) print(node, 0);
  const snapshot = lines.join('\n');
  return { snapshot, refs, document: state.document };
})()
