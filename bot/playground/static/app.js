// The Tandem playground page. Vanilla JS, no build step, nothing fetched from elsewhere.
//
// Everything the bot or a person wrote arrives as HTML rendered (and escaped) by the server
// (fields named `html`); every other string goes into the page with textContent. Listeners are
// delegated from the document: the rendered Block Kit carries data-* attributes, no handlers.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const view = {
    as: "",
    conversation: "",
    thread: "",
    data: null,
    people: [],
    commands: [],
    shortcuts: [],
    modalKey: "",
    loading: false,
    again: false,
  };

  // ------------------------------------------------------------------ helpers
  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "text") node.textContent = value;
      else if (key === "className") node.className = value;
      else if (key.startsWith("data-") || key.startsWith("aria-") || key === "type" || key === "title" || key === "role")
        node.setAttribute(key, value === true ? "" : String(value));
      else node[key] = value;
    }
    for (const child of children) if (child) node.append(child);
    return node;
  }

  function toast(message, isError) {
    const box = $("pg-toast");
    box.textContent = message;
    box.className = "pg-toast" + (isError ? " pg-toast--error" : "");
    box.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => { box.hidden = true; }, isError ? 6000 : 3000);
  }

  async function post(path, body) {
    try {
      const response = await fetch(path, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Playground": "1" },
        body: JSON.stringify({ as: view.as, ...body }),
      });
      const data = await response.json();
      if (!data.ok) toast(data.error || "Something went wrong", true);
      return data;
    } catch (error) {
      toast("The playground is not answering (was it stopped?)", true);
      return { ok: false };
    } finally {
      load();
    }
  }

  function saveLocation() {
    const params = new URLSearchParams({ as: view.as, c: view.conversation });
    if (view.thread) params.set("t", view.thread);
    history.replaceState(null, "", "#" + params.toString());
  }

  // ------------------------------------------------------------------ loading state
  async function load() {
    if (!view.as) return;
    if (view.loading) { view.again = true; return; }
    view.loading = true;
    try {
      const asked = { as: view.as, conversation: view.conversation, thread: view.thread };
      const response = await fetch("/api/state?" + new URLSearchParams(asked).toString());
      const data = await response.json();
      if (data.ok === false) { toast(data.error, true); return; }
      if (asked.as !== view.as || asked.conversation !== view.conversation || asked.thread !== view.thread) {
        view.again = true; // the person went elsewhere meanwhile: show that instead
        return;
      }
      view.data = data;
      view.conversation = data.conversation;
      render(data);
      saveLocation();
    } catch (error) {
      // the stream reconnects and asks again
    } finally {
      view.loading = false;
      if (view.again) { view.again = false; load(); }
    }
  }

  // ------------------------------------------------------------------ rendering
  function render(data) {
    document.body.dataset.revision = String(data.revision);
    document.body.dataset.as = data.me.id;
    document.body.dataset.conversation = data.conversation;
    $("pg-workspace").textContent = data.workspace;
    $("pg-now").textContent = data.now_label;
    $("pg-now").dataset.now = data.now;
    $("pg-next-due").textContent = data.next_due ? "next: " + data.next_due : "nothing scheduled";
    $("pg-week").disabled = data.week.running;
    $("pg-week").textContent = data.week.running ? "Playing…" : "Play a week";
    $("pg-week-status").textContent = data.week.last;
    renderSidebar(data);
    const isHome = data.conversation === "home";
    $("pg-home").hidden = !isHome;
    $("pg-messages").hidden = isHome;
    $("pg-composer").hidden = isHome;
    if (isHome) {
      $("pg-conv-title").textContent = "Tandem · Home";
      $("pg-conv-purpose").textContent = "The App Home tab";
      const home = $("pg-home");
      home.dataset.where = "view";
      home.dataset.viewId = data.home_view_id || "";
      home.innerHTML = data.home || '<p class="pg-muted">Opening the Home tab…</p>';
    } else {
      const channel = data.channels.find((c) => c.id === data.conversation);
      $("pg-conv-title").textContent = channel ? "# " + channel.name : "Tandem";
      $("pg-conv-purpose").textContent = channel ? channel.purpose + (channel.shared ? " (external: shared with another organisation)" : "") : "Your direct messages with the Tandem app";
      renderMessages($("pg-messages"), data.messages, data.conversation, true);
    }
    renderThread(data);
    renderModal(data.modal);
  }

  function renderSidebar(data) {
    const list = $("pg-channels");
    list.replaceChildren(...data.channels.map((c) => el("li", {},
      el("button", {
        type: "button",
        className: "pg-nav" + (c.id === data.conversation ? " pg-nav--active" : ""),
        "data-conversation": c.id,
        title: c.shared ? "Shared with an external organisation" : c.purpose,
      }, el("span", { className: "pg-hash", text: c.shared ? "⇄ " : "# " }), el("span", { text: c.name })),
    )));
    $("pg-dms").replaceChildren(el("li", {}, el("button", {
      type: "button",
      className: "pg-nav" + (data.dm.id === data.conversation ? " pg-nav--active" : ""),
      "data-conversation": data.dm.id,
    }, el("span", { className: "pg-hash", text: "◆ " }), el("span", { text: data.dm.name }))));
    $("pg-home-link").className = "pg-nav" + (data.conversation === "home" ? " pg-nav--active" : "");
  }

  function messageItem(message, conversation, withReplies) {
    const head = el("div", { className: "pg-msg-head" },
      el("span", { className: "pg-avatar" + (message.is_bot ? " pg-avatar--bot" : ""), text: message.author.slice(0, 1), "aria-hidden": "true" }),
      el("strong", { className: "pg-author", text: message.author }),
      message.is_bot ? el("span", { className: "pg-badge", text: "APP" }) : null,
      el("span", { className: "pg-time", text: message.time }),
      message.ephemeral ? el("span", { className: "pg-only-you", text: "Only visible to you" }) : null,
      message.edited ? el("span", { className: "pg-muted", text: "(edited)" }) : null,
    );
    const body = el("div", { className: "pg-msg-body" });
    body.innerHTML = message.html;
    const item = el("li", {
      className: "pg-msg" + (message.ephemeral ? " pg-msg--ephemeral" : ""),
      "data-where": message.ephemeral ? "ephemeral" : "message",
      "data-channel": conversation,
      "data-ts": message.ts,
    }, head, body);
    if (!message.ephemeral) {
      item.append(el("button", { type: "button", className: "pg-msg-menu", "data-menu": message.ts, "aria-label": "More actions", title: "More actions", text: "⋮" }));
    }
    if (withReplies && message.reply_count > 0) {
      item.append(el("button", { type: "button", className: "pg-replies", "data-thread": message.ts,
        text: message.reply_count === 1 ? "1 reply" : message.reply_count + " replies" }));
    }
    return item;
  }

  function renderMessages(list, messages, conversation, withReplies) {
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    const items = messages.map((m) => messageItem(m, conversation, withReplies));
    if (!items.length) items.push(el("li", { className: "pg-empty", text: "No messages here yet." }));
    list.replaceChildren(...items);
    if (atBottom || !list.dataset.seen) list.scrollTop = list.scrollHeight;
    list.dataset.seen = "1";
  }

  function renderThread(data) {
    const pane = $("pg-thread");
    if (!data.thread) { pane.hidden = true; view.thread = ""; return; }
    pane.hidden = false;
    renderMessages($("pg-thread-messages"), [data.thread.parent, ...data.thread.replies], data.conversation, false);
  }

  function renderModal(modal) {
    const overlay = $("pg-overlay");
    if (!modal) { overlay.hidden = true; overlay.replaceChildren(); view.modalKey = ""; return; }
    const key = modal.view_id + "\n" + modal.html;
    if (key === view.modalKey && !overlay.hidden) return; // keep what the person is typing
    view.modalKey = key;
    const box = el("div", { className: "pg-modal", "data-where": "view", "data-view-id": modal.view_id });
    box.innerHTML = modal.html;
    overlay.replaceChildren(box);
    overlay.hidden = false;
    const first = box.querySelector("[autofocus], input, textarea, select");
    if (first) first.focus();
  }

  // ------------------------------------------------------------------ reading controls
  function controlValue(control) {
    if (control.matches("[role=group]")) return [...control.querySelectorAll("input:checked")].map((i) => i.value);
    if (control.matches("[role=radiogroup]")) {
      const checked = control.querySelector("input:checked");
      return checked ? checked.value : "";
    }
    if (control.tagName === "SELECT" && control.multiple) return [...control.selectedOptions].map((o) => o.value);
    return control.value;
  }

  function collect(root) {
    const values = {};
    root.querySelectorAll("[data-action-id]").forEach((control) => {
      if (control.matches("button, a")) return;
      const block = control.dataset.blockId || "";
      (values[block] = values[block] || {})[control.dataset.actionId] = controlValue(control);
    });
    return values;
  }

  function whereOf(node) {
    const holder = node.closest("[data-where]");
    if (!holder) return null;
    const kind = holder.dataset.where;
    if (kind === "view") return { kind, view_id: holder.dataset.viewId };
    return { kind, channel: holder.dataset.channel, ts: holder.dataset.ts };
  }

  function confirmed(control) {
    if (!control.dataset.confirm) return true;
    try {
      const c = JSON.parse(control.dataset.confirm);
      return window.confirm((c.title ? c.title + "\n\n" : "") + (c.text || ""));
    } catch (error) {
      return window.confirm("Are you sure?");
    }
  }

  function dispatchAction(control, value) {
    const where = whereOf(control);
    if (!where) return;
    if (!confirmed(control)) return;
    post("/api/action", { where, block_id: control.dataset.blockId || "", action_id: control.dataset.actionId, value });
  }

  // ------------------------------------------------------------------ menu and suggestions
  function openMenu(button) {
    const menu = $("pg-menu");
    const shortcuts = view.shortcuts.filter((s) => s.type === "message");
    menu.replaceChildren(...shortcuts.map((s) => el("button", {
      type: "button", className: "pg-menu-item", role: "menuitem",
      "data-shortcut": s.callback_id, "data-ts": button.dataset.menu, text: s.name,
    })));
    if (!shortcuts.length) menu.append(el("div", { className: "pg-muted", text: "No message shortcuts" }));
    const box = button.getBoundingClientRect();
    menu.style.top = Math.round(box.bottom + window.scrollY) + "px";
    menu.style.left = Math.round(Math.max(8, box.right - 240)) + "px";
    menu.hidden = false;
  }

  function suggest() {
    const text = $("pg-text").value;
    const box = $("pg-suggest");
    if (!text.startsWith("/") || text.includes(" ")) { box.hidden = true; return; }
    const matches = view.commands.filter((c) => c.command.startsWith(text));
    box.replaceChildren(...matches.map((c) => el("li", {},
      el("button", { type: "button", className: "pg-suggest-item", "data-command": c.command },
        el("strong", { text: c.command }), el("span", { className: "pg-muted", text: " " + c.usage_hint }),
        el("div", { className: "pg-muted", text: c.description })))));
    box.hidden = !matches.length;
  }

  async function send(textarea, threadTs) {
    const text = textarea.value.trim();
    if (!text) return;
    textarea.value = "";
    $("pg-suggest").hidden = true;
    if (text.startsWith("/") && !threadTs) {
      await post("/api/command", { conversation: view.conversation, text });
    } else {
      await post("/api/say", { conversation: view.conversation, text, thread_ts: threadTs || "" });
    }
  }

  // ------------------------------------------------------------------ events
  document.addEventListener("click", (event) => {
    const target = event.target.closest("button, a, [data-conversation]");
    const menu = $("pg-menu");
    if (!target || !target.closest("#pg-menu")) menu.hidden = true;
    if (!target) return;
    if (target.dataset.clock) {
      target.disabled = true;
      post("/api/clock", { step: target.dataset.clock }).then((data) => {
        target.disabled = false;
        if (data.ok && data.result && data.result.note) toast(data.result.note);
      });
    } else if (target.id === "pg-week") {
      target.disabled = true;
      post("/api/week", {});
    } else if (target.dataset.conversation) {
      view.conversation = target.dataset.conversation;
      view.thread = "";
      if (view.conversation === "home") post("/api/home", {});
      else load();
    } else if (target.dataset.thread) {
      view.thread = target.dataset.thread;
      load();
    } else if (target.id === "pg-thread-close") {
      view.thread = "";
      load();
    } else if (target.dataset.menu) {
      openMenu(target);
    } else if (target.dataset.shortcut) {
      menu.hidden = true;
      post("/api/shortcut", { conversation: view.conversation, ts: target.dataset.ts, callback_id: target.dataset.shortcut });
    } else if (target.dataset.command) {
      $("pg-text").value = target.dataset.command + " ";
      $("pg-suggest").hidden = true;
      $("pg-text").focus();
    } else if (target.dataset.role === "submit" || target.dataset.role === "close") {
      const modal = target.closest("[data-view-id]");
      if (!modal) return;
      if (target.dataset.role === "submit") post("/api/submit", { view_id: modal.dataset.viewId, values: collect(modal) });
      else post("/api/close", { view_id: modal.dataset.viewId });
    } else if (target.tagName === "BUTTON" && target.dataset.actionId) {
      dispatchAction(target, target.dataset.value || "");
    }
  });

  document.addEventListener("change", (event) => {
    const target = event.target;
    if (target.id === "pg-person") {
      view.as = target.value;
      view.thread = "";
      view.conversation = "";
      load();
      return;
    }
    const control = target.closest("[data-action-id]");
    if (!control || control.closest(".bk-input")) return; // inputs in input blocks wait for submit
    if (control.matches(".bk-overflow")) {
      const value = control.value;
      control.value = "";
      if (value) dispatchAction(control, value);
      return;
    }
    dispatchAction(control, controlValue(control));
  });

  for (const [formId, textId, thread] of [["pg-composer", "pg-text", false], ["pg-thread-composer", "pg-thread-text", true]]) {
    $(formId).addEventListener("submit", (event) => {
      event.preventDefault();
      send($(textId), thread ? view.thread : "");
    });
    $(textId).addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        send($(textId), thread ? view.thread : "");
      }
    });
  }
  $("pg-text").addEventListener("input", suggest);

  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !$("pg-overlay").hidden) {
      const modal = $("pg-overlay").querySelector("[data-view-id]");
      if (modal) post("/api/close", { view_id: modal.dataset.viewId });
    }
  });

  // ------------------------------------------------------------------ start
  async function start() {
    const response = await fetch("/api/people");
    const info = await response.json();
    view.people = info.people;
    view.commands = info.commands;
    view.shortcuts = info.shortcuts;
    const params = new URLSearchParams(location.hash.slice(1));
    view.as = params.get("as") || (info.people[0] && info.people[0].id) || "";
    view.conversation = params.get("c") || "";
    view.thread = params.get("t") || "";
    const select = $("pg-person");
    select.replaceChildren(...info.people.map((p) => el("option", {
      value: p.id,
      text: `${p.real_name} · ${p.title} · ${p.side} · ${p.tz}`,
    })));
    select.value = view.as;
    await load();
    const events = new EventSource("/api/events");
    events.onmessage = () => load();
  }

  start();
})();
