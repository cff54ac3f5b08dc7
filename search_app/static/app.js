// Citations (one, or several selected), old permalinks, find-in-document and the outline's
// current section. The pages work without it; this adds what needs a click or a scroll.
"use strict";

function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    return navigator.clipboard.writeText(text);
  }
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.appendChild(area);
  area.select();
  const ok = document.execCommand("copy");
  area.remove();
  return ok ? Promise.resolve() : Promise.reject(new Error("copy failed"));
}

function flash(button, promise) {
  const label = button.textContent;
  promise.then(
    () => { button.textContent = "已复制"; button.classList.add("done"); },
    () => { button.textContent = "复制失败"; }
  ).finally(() => setTimeout(() => { button.textContent = label; button.classList.remove("done"); }, 1800));
}

function wireCiteButton(button) {
  button.addEventListener("click", () => flash(button, copyText(button.dataset.citation)));
}

// --- several hits cited at once ----------------------------------------------------------
function citeUrl(ids, format, download) {
  return "/api/cite?ids=" + encodeURIComponent(ids.join(",")) + "&format=" + format + (download ? "&download=1" : "");
}

function wireSelection() {
  const bar = document.querySelector(".selection");
  if (!bar) return;
  const picks = () => Array.from(document.querySelectorAll("input.pick:checked")).map((el) => el.value);
  const update = () => {
    const ids = picks();
    bar.hidden = ids.length === 0;
    bar.querySelector(".count").textContent = String(ids.length);
    bar.querySelectorAll("a.dl").forEach((a) => { a.href = citeUrl(ids, a.dataset.format, true); });
  };
  document.querySelectorAll("input.pick").forEach((el) => el.addEventListener("change", update));
  const copyButton = bar.querySelector(".copy-selected");
  copyButton.addEventListener("click", () => {
    const text = fetch(citeUrl(picks(), "text", false)).then((r) => {
      if (!r.ok) throw new Error("cite failed");
      return r.text();
    });
    // Safari wants the clipboard write inside the click: hand it a promise of the text.
    if (navigator.clipboard && window.ClipboardItem && window.isSecureContext) {
      flash(copyButton, navigator.clipboard.write([new ClipboardItem({ "text/plain": text.then((t) => new Blob([t], { type: "text/plain" })) })]));
    } else {
      flash(copyButton, text.then(copyText));
    }
  });
  bar.querySelector(".clear-selected").addEventListener("click", () => {
    document.querySelectorAll("input.pick:checked").forEach((el) => { el.checked = false; });
    update();
  });
  update();
}

// --- the addressed passage, and links from before a re-index ------------------------------
function showNotice(text) {
  const box = document.querySelector("p.notice");
  if (!box) return;
  box.textContent = text;
  box.hidden = false;
}

function markTarget() {
  document.querySelectorAll(".passage.target").forEach((el) => el.classList.remove("target"));
  document.querySelectorAll(".target-tools").forEach((el) => el.remove());
  const id = decodeURIComponent(location.hash.slice(1));
  if (!id) return;
  const el = document.getElementById(id);
  if (!el) { resolveOldLink(id); return; }
  if (!el.classList.contains("passage")) return;
  el.classList.add("target");
  const tools = document.createElement("div");
  tools.className = "target-tools";
  const button = document.createElement("button");
  button.type = "button";
  button.className = "cite";
  button.textContent = "引用此段";
  button.dataset.citation = el.dataset.citation || "";
  wireCiteButton(button);
  tools.appendChild(button);
  if (el.dataset.original) {  // a PDF's passage: its page in the original
    const link = document.createElement("a");
    link.className = "to-original";
    link.href = el.dataset.original;
    link.textContent = "原文第 " + el.dataset.page + " 页";
    tools.appendChild(link);
  }
  (el.tagName === "TR" ? el.closest(".table-wrap") : el).after(tools);
  el.scrollIntoView({ block: "center" });
}

function resolveOldLink(id) {
  if (!document.querySelector(".reader")) return;
  fetch("/api/resolve/" + encodeURIComponent(id)).then((r) => (r.ok ? r.json() : null)).then((landing) => {
    if (!landing || !document.getElementById(landing.passage_id)) {
      showNotice("链接指向的段落在这份文件里找不到了。");
      return;
    }
    showNotice(landing.notice || "");
    history.replaceState(null, "", "#" + encodeURIComponent(landing.passage_id));
    markTarget();
  }, () => showNotice("链接指向的段落在这份文件里找不到了。"));
}

// --- find in document ---------------------------------------------------------------------
function wireFind() {
  const form = document.querySelector("form.find");
  if (!form) return;
  const input = form.querySelector("input");
  const count = form.querySelector(".find-count");
  let hits = [];
  let at = -1;
  const clear = () => {
    document.querySelectorAll("mark.find-hit").forEach((m) => m.replaceWith(document.createTextNode(m.textContent)));
    document.querySelectorAll(".doc .passage").forEach((el) => el.normalize());
    hits = [];
    at = -1;
  };
  const show = (i) => {
    if (!hits.length) return;
    if (at >= 0) hits[at].classList.remove("current");
    at = (i + hits.length) % hits.length;
    hits[at].classList.add("current");
    hits[at].scrollIntoView({ block: "center" });
    count.textContent = `${at + 1} / ${hits.length}`;
  };
  const run = () => {
    clear();
    const needle = input.value.trim();
    if (!needle) { count.textContent = ""; return; }
    const lower = needle.toLowerCase();
    document.querySelectorAll(".doc .passage").forEach((el) => {
      const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
      const nodes = [];
      while (walker.nextNode()) nodes.push(walker.currentNode);
      nodes.forEach((node) => {
        let text = node.textContent;
        let idx = text.toLowerCase().indexOf(lower);
        while (idx >= 0) {
          const match = node.splitText(idx);
          node = match.splitText(needle.length);
          const mark = document.createElement("mark");
          mark.className = "find-hit";
          mark.textContent = match.textContent;
          match.replaceWith(mark);
          hits.push(mark);
          text = node.textContent;
          idx = text.toLowerCase().indexOf(lower);
        }
      });
    });
    count.textContent = hits.length ? "" : "没有找到";
    if (hits.length) show(0);
  };
  let timer = 0;
  form.addEventListener("submit", (e) => e.preventDefault());
  input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(run, 250); });
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter") { e.preventDefault(); clearTimeout(timer); if (hits.length && input.value.trim()) show(at + (e.shiftKey ? -1 : 1)); else run(); }
  });
  form.querySelector(".find-next").addEventListener("click", () => show(at + 1));
  form.querySelector(".find-prev").addEventListener("click", () => show(at - 1));
}

// --- the outline follows the reader ------------------------------------------------------
function wireOutline() {
  const links = new Map();
  document.querySelectorAll("nav.outline a[href^='#']").forEach((a) => links.set(decodeURIComponent(a.hash.slice(1)), a));
  const headings = Array.from(document.querySelectorAll(".doc .passage.heading")).filter((h) => links.has(h.id));
  if (!headings.length || !("IntersectionObserver" in window)) return;
  let current = null;
  const mark = (id) => {
    const a = links.get(id);
    if (!a || a === current) return;
    if (current) { current.classList.remove("current"); current.removeAttribute("aria-current"); }
    current = a;
    a.classList.add("current");
    a.setAttribute("aria-current", "location");
    const nav = a.closest("nav.outline");
    if (nav && nav.scrollHeight > nav.clientHeight) {
      const top = a.offsetTop - nav.offsetTop;
      if (top < nav.scrollTop || top > nav.scrollTop + nav.clientHeight - 24) nav.scrollTop = top - nav.clientHeight / 3;
    }
  };
  const update = () => {
    // The current section is the last heading above the upper third of the screen.
    const line = window.innerHeight / 3;
    let best = headings[0];
    for (const h of headings) {
      if (h.getBoundingClientRect().top <= line) best = h; else break;
    }
    mark(best.id);
  };
  const observer = new IntersectionObserver(update, { rootMargin: "0px 0px -66% 0px" });
  headings.forEach((h) => observer.observe(h));
  window.addEventListener("scroll", () => window.requestAnimationFrame(update), { passive: true });
  update();
}

// --- a query longer than the box takes is cut by the browser: say so --------------------
function wireQueryLimit() {
  const input = document.querySelector("form.search input[name=q]");
  const note = document.getElementById("q-cut");
  if (!input || !note || input.maxLength < 1) return;
  const room = () => input.maxLength - input.value.length + (input.selectionEnd - input.selectionStart);
  const check = (incoming) => { if (incoming.length > room()) note.hidden = false; };
  input.addEventListener("beforeinput", (e) => { if (e.data) check(e.data); });
  input.addEventListener("paste", (e) => check(e.clipboardData ? e.clipboardData.getData("text") : ""));
  input.addEventListener("input", () => { if (input.value.length < input.maxLength) note.hidden = true; });
}

document.addEventListener("DOMContentLoaded", () => {
  const outline = document.querySelector("details.outline-box");
  if (outline && window.matchMedia("(max-width: 760px)").matches) outline.open = false;
  document.querySelectorAll("button.cite").forEach(wireCiteButton);
  wireSelection();
  wireFind();
  wireOutline();
  wireQueryLimit();
  markTarget();
  window.addEventListener("hashchange", markTarget);
});
