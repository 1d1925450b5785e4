// The form editor (served by `serve` only, never part of a build). The form is made from
// the kind's JSON Schema (`python -m generator schema`): titles as labels, descriptions as
// help, enums as selects, dates as date inputs, lists with add / remove / move, ids of
// departments, powers and policies as searchable pickers. The server checks a save with
// the same rules as `validate` and writes nothing while a problem remains.
// Hand-written rather than a vendored schema-to-form library: react-jsonschema-form needs
// React and a bundler, and json-editor's themes and widgets would have to be vetted under
// this page's strict CSP (no inline style or script); what the form needs fits in this file.
(function () {
  "use strict";
  var root = document.getElementById("editor");
  var form, defs, refs, widgets, ids = 0;

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else if (attrs[key] !== undefined && attrs[key] !== null) node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(c); });
    return node;
  }
  function nextId() { ids += 1; return "f" + ids; }

  // A schema without $ref or the `null` of an optional field.
  function unwrap(schema) {
    if (schema.$ref) schema = Object.assign({}, defs[schema.$ref.split("/").pop()], pick(schema));
    if (schema.anyOf) {
      var some = schema.anyOf.filter(function (s) { return s.type !== "null"; });
      if (some.length === 1) return Object.assign({}, unwrap(some[0]), pick(schema));
    }
    return schema;
  }
  function pick(schema) {
    var out = {};
    ["title", "description"].forEach(function (k) { if (schema[k]) out[k] = schema[k]; });
    return out;
  }

  function labelled(schema, required, control, forId) {
    var label = el("label", { "for": forId, "class": "field__label", text: (schema.title || "") + (required ? "（必填）" : "") });
    var help = schema.description && schema.description !== schema.title ?
      el("p", { "class": "field__help", id: forId + "-help", text: schema.description }) : null;
    if (help) control.setAttribute("aria-describedby", forId + "-help");
    return el("div", { "class": "field" }, [label, help, control]);
  }

  // One widget per value: {node, get(), at(path, register)} — `at` registers the widget
  // (and its parts) under their current path, so a problem finds its field after a move.
  function widget(schema, value, required, ref) {
    schema = unwrap(schema);
    if (schema.type === "object") return objectWidget(schema, value || {}, required);
    if (schema.type === "array") return listWidget(schema, value || [], required, ref);
    return scalarWidget(schema, value, required, ref);
  }

  function scalarWidget(schema, value, required, ref) {
    var id = nextId(), control;
    if (schema.enum) {
      control = el("select", { id: id }, [el("option", { value: "", text: "（请选择）" })].concat(schema.enum.map(function (v) {
        return el("option", { value: v, text: v });
      })));
      control.value = value == null ? "" : value;
    } else if (schema.type === "boolean") {
      control = el("select", { id: id }, [el("option", { value: "", text: "（未填写）" }),
        el("option", { value: "true", text: "是" }), el("option", { value: "false", text: "否" })]);
      control.value = value == null ? "" : String(value);
    } else if (schema.type === "integer") {
      control = el("input", { id: id, type: "text", inputmode: "numeric" });
      control.value = value == null ? "" : String(value);
    } else if (schema.format === "date") {
      control = el("input", { id: id, type: "date" });
      control.value = value == null ? "" : value;
    } else if (/Markdown|内容|全文|概述|条件|材料/.test((schema.title || "") + (schema.description || ""))) {
      control = el("textarea", { id: id, rows: "4" });
      control.value = value == null ? "" : value;
    } else {
      control = el("input", { id: id, type: schema.format === "uri" ? "url" : "text" });
      if (ref) control.setAttribute("list", "choices-" + ref);
      control.value = value == null ? "" : value;
    }
    if (required) control.setAttribute("aria-required", "true");
    var node = schema.title ? labelled(schema, required, control, id) : el("div", { "class": "field" }, [control]);
    return {
      node: node, control: control,
      get: function () {
        var v = control.value;
        if (v === "") return undefined;
        if (schema.type === "boolean") return v === "true";
        if (schema.type === "integer") return /^-?\d+$/.test(v.trim()) ? parseInt(v, 10) : v;
        return v;
      },
      at: function (path, register) { register(path, this); }
    };
  }

  function objectWidget(schema, value, required) {
    var props = schema.properties || {}, need = schema.required || [], parts = {};
    var box = el("fieldset", { "class": "group" }, [schema.title ? el("legend", { text: schema.title + (required ? "（必填）" : "") }) : null]);
    if (schema.description && schema.description !== schema.title) box.appendChild(el("p", { "class": "field__help", text: schema.description }));
    Object.keys(props).forEach(function (key) {
      parts[key] = widget(props[key], value[key], need.indexOf(key) >= 0, refs[key]);
      parts[key].node.setAttribute("data-key", key);
      box.appendChild(parts[key].node);
    });
    return {
      node: box,
      get: function () {
        var out = {}, any = false;
        Object.keys(parts).forEach(function (key) {
          var v = parts[key].get();
          if (v !== undefined) { out[key] = v; any = true; }
        });
        return any ? out : undefined;
      },
      at: function (path, register) {
        register(path, this);
        Object.keys(parts).forEach(function (key) { parts[key].at(path.concat([key]), register); });
      }
    };
  }

  function listWidget(schema, value, required, ref) {
    var items = [], itemSchema = unwrap(schema.items || {});
    var list = el("ol", { "class": "list__items" });
    var add = el("button", { type: "button", "class": "list__add", text: "添加" + (schema.title || "") });
    var box = el("fieldset", { "class": "group list" }, [el("legend", { text: (schema.title || "") + (required ? "（必填）" : "") })]);
    if (schema.description && schema.description !== schema.title) box.appendChild(el("p", { "class": "field__help", text: schema.description }));
    box.appendChild(list);
    box.appendChild(add);

    function render() {
      list.textContent = "";
      items.forEach(function (item, i) {
        var n = i + 1, name = (schema.title || "") + "第 " + n + " 项";
        var up = el("button", { type: "button", text: "上移", "aria-label": "上移" + name });
        var down = el("button", { type: "button", text: "下移", "aria-label": "下移" + name });
        var remove = el("button", { type: "button", text: "删除", "aria-label": "删除" + name });
        up.disabled = i === 0;
        down.disabled = i === items.length - 1;
        up.addEventListener("click", function () { move(i, i - 1); });
        down.addEventListener("click", function () { move(i, i + 1); });
        remove.addEventListener("click", function () { items.splice(i, 1); render(); });
        if (item.control) item.control.setAttribute("aria-label", (schema.title || "") + " 第 " + n + " 项");
        list.appendChild(el("li", { "class": "list__item" }, [item.node, el("div", { "class": "list__tools" }, [up, down, remove])]));
      });
    }
    function move(from, to) { items.splice(to, 0, items.splice(from, 1)[0]); render(); }
    function make(v) { return widget(itemSchema, v, false, ref); }
    add.addEventListener("click", function () {
      items.push(make(undefined));
      render();
      var first = items[items.length - 1].node.querySelector("input, select, textarea");
      if (first) first.focus();
    });
    value.forEach(function (v) { items.push(make(v)); });
    render();
    return {
      node: box,
      get: function () {
        var out = items.map(function (w) { return w.get(); }).filter(function (v) { return v !== undefined; });
        return out.length ? out : undefined;
      },
      at: function (path, register) {
        register(path, this);
        var kept = 0;
        items.forEach(function (w) { if (w.get() !== undefined) { w.at(path.concat([kept]), register); kept += 1; } });
      }
    };
  }

  function datalists(choices) {
    return Object.keys(choices).map(function (kind) {
      return el("datalist", { id: "choices-" + kind }, choices[kind].map(function (c) {
        return el("option", { value: c[0], label: c[1] + "（" + c[0] + "）" });
      }));
    });
  }

  function showProblems(problems) {
    document.querySelectorAll(".field-error").forEach(function (n) { n.remove(); });
    document.querySelectorAll("[aria-invalid]").forEach(function (n) { n.removeAttribute("aria-invalid"); });
    var general = document.getElementById("editor-problems");
    general.textContent = "";
    problems.forEach(function (p) {
      var target = null;
      for (var n = p.path ? p.path.length : -1; n >= 0 && !target; n -= 1) target = widgets[JSON.stringify(p.path.slice(0, n))];
      var note = el("p", { "class": "field-error", role: "alert", text: p.message + (p.where ? "（" + p.where + "）" : "") });
      if (target && p.path && p.path.length) {
        target.node.appendChild(note);
        if (target.control) target.control.setAttribute("aria-invalid", "true");
      } else {
        general.appendChild(note);
      }
    });
    var first = document.querySelector(".field-error");
    if (first) first.scrollIntoView({ block: "center" });
  }

  function save(commit) {
    var status = document.getElementById("editor-status");
    var data = form.get() || {};
    widgets = {};
    form.at([], function (path, w) { widgets[JSON.stringify(path)] = w; });
    var dept = document.getElementById("editor-department");
    if (dept) widgets[JSON.stringify(["__department"])] = { node: dept.parentNode, control: dept };
    var message = document.getElementById("editor-message");
    var payload = { kind: root.dataset.kind, id: root.dataset.id || null, department: dept ? dept.value : root.dataset.department,
      data: data, commit: commit, message: message ? message.value : "" };
    status.textContent = "正在检查……";
    fetch("/__preview__/save", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(payload) })
      .then(function (r) { return r.json().then(function (body) { return { status: r.status, body: body }; }); })
      .then(function (answer) {
        var body = answer.body;
        if (answer.status === 422) {
          showProblems(body.problems);
          status.textContent = "有 " + body.problems.length + " 个问题，文件没有修改。请按提示改正后再保存。";
          return;
        }
        if (answer.status !== 200) { status.textContent = body.error || "保存失败"; return; }
        showProblems([]);
        status.textContent = "已保存到 " + body.file + (body.committed ? "，并已提交" : "") + (body.commit_error ? "。" + body.commit_error : "") + "。正在生成页面……";
        waitAndGo(body.url, body.version);
      })
      .catch(function () { status.textContent = "无法连接预览服务器：请确认 python -m generator serve 仍在运行"; });
  }

  // The watcher rebuilds after the write: go to the page once the site is newer than it was
  // before the save and has no problems.
  function waitAndGo(url, version) {
    (function again() {
      fetch("/__preview__/state", { cache: "no-store" }).then(function (r) { return r.json(); }).then(function (state) {
        if (state.version > version && state.problems === 0) location.href = url;
        else setTimeout(again, 200);
      }).catch(function () { setTimeout(again, 500); });
    })();
  }

  function build(info) {
    defs = info.defs;
    refs = info.references;
    document.title = (info.id ? "编辑" : "新增") + info.label + " · 预览";
    root.textContent = "";
    var heading = el("h1", { text: (info.id ? "编辑" + info.label + "：" + info.id : "新增" + info.label) });
    var where = el("p", { "class": "editor__file", text: info.file ? "文件：" + info.file : "" });
    var back = el("a", { href: info.id ? "/" + info.kind + "/" + info.id + "/" : "/" + info.kind + "/", text: "返回页面（不保存）" });
    root.appendChild(el("header", { "class": "editor__head" }, [heading, where, back]));
    root.appendChild(el("div", { id: "editor-problems", "class": "editor__problems" }));
    datalists(info.choices).forEach(function (d) { root.appendChild(d); });
    if (info.needs_department) {
      var select = el("select", { id: "editor-department", "aria-required": "true" },
        [el("option", { value: "", text: "（请选择）" })].concat(info.choices.departments.map(function (d) {
          return el("option", { value: d[0], text: d[1] + "（" + d[0] + "）" });
        })));
      select.value = info.department || "";
      root.appendChild(labelled({ title: "所属部门", description: "事项写入该部门的文件 content/powers/部门标识.yaml" }, true, select, "editor-department"));
    }
    form = widget(Object.assign({}, info.schema, { title: "" }), info.data, true);
    root.appendChild(form.node);
    var actions = el("div", { "class": "editor__actions" });
    var saveButton = el("button", { type: "button", "class": "editor__save", text: "保存" });
    saveButton.addEventListener("click", function () { save(false); });
    actions.appendChild(saveButton);
    if (info.git) {
      var message = el("input", { id: "editor-message", type: "text", placeholder: "例如：更新食品经营许可的承诺时限" });
      actions.appendChild(labelled({ title: "提交说明", description: "保存并提交时写入 git 提交记录" }, false, message, "editor-message"));
      var commitButton = el("button", { type: "button", "class": "editor__commit", text: "保存并提交" });
      commitButton.addEventListener("click", function () { save(true); });
      actions.appendChild(commitButton);
    }
    actions.appendChild(el("p", { id: "editor-status", "class": "editor__status", role: "status" }));
    root.appendChild(actions);
  }

  var query = new URLSearchParams({ kind: root.dataset.kind });
  if (root.dataset.id) query.set("id", root.dataset.id);
  if (root.dataset.department) query.set("department", root.dataset.department);
  fetch("/__preview__/record?" + query.toString(), { cache: "no-store" })
    .then(function (r) { return r.json(); })
    .then(function (info) { if (info.error) root.textContent = info.error; else build(info); })
    .catch(function () { root.textContent = "无法载入表单：请确认 python -m generator serve 仍在运行"; });
})();
