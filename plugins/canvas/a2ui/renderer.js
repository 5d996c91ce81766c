// A2UI v0.8 renderer for the node's canvas. The canvas plugin checks every message before it
// gets here; this file keeps the surfaces, their components and data models, and draws them
// with the standard catalog's common components.
(() => {
  "use strict";
  const surfaces = new Map();
  const actions = [];
  const root = () => document.getElementById("a2ui-root");

  function surface(id) {
    let s = surfaces.get(id);
    if (!s) {
      s = { components: new Map(), data: {}, root: null, styles: {} };
      surfaces.set(id, s);
    }
    return s;
  }

  // dataModelUpdate contents: [{key, valueString|valueNumber|valueBoolean|valueMap}]
  function decodeEntries(entries) {
    const out = {};
    for (const e of entries || []) {
      if ("valueString" in e) out[e.key] = e.valueString;
      else if ("valueNumber" in e) out[e.key] = e.valueNumber;
      else if ("valueBoolean" in e) out[e.key] = e.valueBoolean;
      else if ("valueMap" in e) out[e.key] = decodeEntries(e.valueMap);
      else out[e.key] = null;
    }
    return out;
  }

  function segments(path) {
    return String(path || "").split("/").filter((p) => p.length > 0);
  }

  function lookup(data, path) {
    let node = data;
    for (const key of segments(path)) {
      if (node == null || typeof node !== "object") return undefined;
      node = node[key];
    }
    return node;
  }

  function setAt(s, path, value) {
    const keys = segments(path);
    if (keys.length === 0) {
      s.data = Object.assign({}, s.data, value);
      return;
    }
    let node = s.data;
    for (const key of keys.slice(0, -1)) {
      if (node[key] == null || typeof node[key] !== "object") node[key] = {};
      node = node[key];
    }
    const last = keys[keys.length - 1];
    node[last] = Object.assign({}, node[last] || {}, value);
  }

  // A BoundValue: a literal, a path into the data model (relative to a template item), or both.
  function resolve(s, bound, scope) {
    if (bound == null) return undefined;
    if (typeof bound !== "object") return bound;
    if ("path" in bound) {
      const path = String(bound.path);
      const full = path.startsWith("/") || !scope ? path : scope + "/" + path;
      const found = lookup(s.data, full);
      if (found !== undefined) return found;
    }
    for (const k of ["literalString", "literalNumber", "literalBoolean", "literalArray"]) {
      if (k in bound) return bound[k];
    }
    return undefined;
  }

  function text(s, bound, scope) {
    const v = resolve(s, bound, scope);
    return v == null ? "" : typeof v === "object" ? JSON.stringify(v) : String(v);
  }

  function el(tag, className, children) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    for (const child of children || []) if (child) node.appendChild(child);
    return node;
  }

  function childIds(s, children, scope) {
    if (!children) return [];
    if (Array.isArray(children.explicitList)) return children.explicitList.map((id) => [id, scope]);
    if (children.template) {
      const binding = children.template.dataBinding;
      const full = String(binding).startsWith("/") || !scope ? binding : scope + "/" + binding;
      const items = lookup(s.data, full);
      if (items == null || typeof items !== "object") return [];
      return Object.keys(items).map((key) => [children.template.componentId, full + "/" + key]);
    }
    return [];
  }

  const justify = { start: "flex-start", center: "center", end: "flex-end",
    spaceBetween: "space-between", spaceAround: "space-around", spaceEvenly: "space-evenly" };
  const align = { start: "flex-start", center: "center", end: "flex-end", stretch: "stretch" };

  function flex(s, props, scope, depth, direction) {
    const box = el("div", "a2ui-" + direction);
    box.style.display = "flex";
    box.style.flexDirection = direction === "row" ? "row" : "column";
    if (props.distribution) box.style.justifyContent = justify[props.distribution] || "";
    if (props.alignment) box.style.alignItems = align[props.alignment] || "";
    for (const [id, itemScope] of childIds(s, props.children, scope)) {
      box.appendChild(render(s, id, itemScope, depth + 1));
    }
    return box;
  }

  const renderers = {
    Text(s, p, scope) {
      const hint = p.usageHint || "body";
      const tag = /^h[1-5]$/.test(hint) ? hint : hint === "caption" ? "small" : "p";
      const node = el(tag, "a2ui-text");
      node.textContent = text(s, p.text, scope);
      return node;
    },
    Image(s, p, scope) {
      const node = el("img", "a2ui-image" + (p.usageHint ? " a2ui-image-" + p.usageHint : ""));
      node.src = text(s, p.url, scope);
      node.alt = "";
      if (p.fit) node.style.objectFit = p.fit === "scaleDown" ? "scale-down" : p.fit;
      return node;
    },
    Icon(s, p, scope) {
      const node = el("span", "a2ui-icon");
      node.textContent = text(s, p.name, scope);
      return node;
    },
    Row: (s, p, scope, depth) => flex(s, p, scope, depth, "row"),
    Column: (s, p, scope, depth) => flex(s, p, scope, depth, "column"),
    List(s, p, scope, depth) {
      const node = flex(s, p, scope, depth, p.direction === "horizontal" ? "row" : "column");
      node.classList.add("a2ui-list");
      return node;
    },
    Card(s, p, scope, depth) {
      return el("div", "a2ui-card", [p.child ? render(s, p.child, scope, depth + 1) : null]);
    },
    Divider(s, p) {
      return el("hr", "a2ui-divider" + (p.axis === "vertical" ? " a2ui-divider-vertical" : ""));
    },
    Button(s, p, scope, depth, id, surfaceId) {
      const node = el("button", "a2ui-button" + (p.primary ? " a2ui-primary" : ""),
        [p.child ? render(s, p.child, scope, depth + 1) : null]);
      node.addEventListener("click", () => {
        const context = {};
        for (const entry of (p.action && p.action.context) || []) {
          context[entry.key] = resolve(s, entry.value, scope);
        }
        actions.push({ surfaceId, sourceComponentId: id, name: p.action && p.action.name, context });
      });
      return node;
    },
    CheckBox(s, p, scope) {
      const box = el("input");
      box.type = "checkbox";
      box.checked = Boolean(resolve(s, p.value, scope));
      const label = el("label", "a2ui-checkbox", [box]);
      label.appendChild(document.createTextNode(" " + text(s, p.label, scope)));
      return label;
    },
    TextField(s, p, scope) {
      const input = el(p.textFieldType === "longText" ? "textarea" : "input");
      input.value = text(s, p.text, scope);
      const label = el("label", "a2ui-textfield");
      label.textContent = text(s, p.label, scope);
      label.appendChild(input);
      return label;
    },
    Slider(s, p, scope) {
      const input = el("input", "a2ui-slider");
      input.type = "range";
      if (p.minValue != null) input.min = p.minValue;
      if (p.maxValue != null) input.max = p.maxValue;
      input.value = resolve(s, p.value, scope);
      return input;
    },
    Tabs(s, p, scope, depth) {
      const items = p.tabItems || [];
      const bar = el("div", "a2ui-tabbar", items.map((item, i) => {
        const tab = el("span", "a2ui-tab" + (i === 0 ? " a2ui-tab-active" : ""));
        tab.textContent = text(s, item.title, scope);
        return tab;
      }));
      const first = items[0] && items[0].child ? render(s, items[0].child, scope, depth + 1) : null;
      return el("div", "a2ui-tabs", [bar, first]);
    },
    Modal(s, p, scope, depth) {
      return p.entryPointChild ? render(s, p.entryPointChild, scope, depth + 1) : el("div");
    },
  };

  function render(s, id, scope, depth, surfaceId) {
    if (depth > 64) return el("div", "a2ui-error", [document.createTextNode("nesting too deep")]);
    const def = s.components.get(id);
    if (!def) return el("div", "a2ui-missing");
    const [type] = Object.keys(def.component || {});
    const draw = renderers[type];
    if (!draw) {
      const node = el("div", "a2ui-unknown");
      node.textContent = "Unsupported component: " + type;
      return node;
    }
    const node = draw(s, def.component[type] || {}, scope, depth, id, s.id);
    node.dataset.componentId = id;
    if (def.weight != null) node.style.flex = String(def.weight);
    return node;
  }

  function draw(surfaceId) {
    const s = surfaces.get(surfaceId);
    let section = root().querySelector(`section[data-surface-id="${CSS.escape(surfaceId)}"]`);
    if (!s || !s.root) {
      if (section && !s) section.remove();
      return;
    }
    if (!section) {
      section = el("section", "a2ui-surface");
      section.dataset.surfaceId = surfaceId;
      root().appendChild(section);
    }
    if (s.styles.primaryColor) section.style.setProperty("--a2ui-primary", s.styles.primaryColor);
    if (s.styles.font) section.style.fontFamily = s.styles.font;
    s.id = surfaceId;
    section.replaceChildren(render(s, s.root, "", 0));
  }

  function apply(messages) {
    const touched = new Set();
    for (const m of messages) {
      if (m.surfaceUpdate) {
        const s = surface(m.surfaceUpdate.surfaceId);
        for (const c of m.surfaceUpdate.components) s.components.set(c.id, c);
        touched.add(m.surfaceUpdate.surfaceId);
      } else if (m.dataModelUpdate) {
        const u = m.dataModelUpdate;
        setAt(surface(u.surfaceId), u.path, decodeEntries(u.contents));
        touched.add(u.surfaceId);
      } else if (m.beginRendering) {
        const b = m.beginRendering;
        const s = surface(b.surfaceId);
        s.root = b.root;
        s.styles = b.styles || {};
        touched.add(b.surfaceId);
      } else if (m.deleteSurface) {
        surfaces.delete(m.deleteSurface.surfaceId);
        touched.add(m.deleteSurface.surfaceId);
      }
    }
    for (const id of touched) draw(id);
    return { surfaces: [...surfaces.keys()].filter((id) => surfaces.get(id).root) };
  }

  function reset() {
    surfaces.clear();
    actions.length = 0;
    root().replaceChildren();
    return { surfaces: [] };
  }

  window.openclawA2ui = { version: "v0.8", apply, reset, actions };
})();
