// Copy citations; bring the addressed passage into view. The pages work without it.
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

function wireCiteButton(button) {
  button.addEventListener("click", () => {
    const label = button.textContent;
    copyText(button.dataset.citation).then(
      () => { button.textContent = "已复制"; button.classList.add("done"); },
      () => { button.textContent = "复制失败"; }
    ).finally(() => setTimeout(() => { button.textContent = label; button.classList.remove("done"); }, 1800));
  });
}

function markTarget() {
  document.querySelectorAll(".passage.target").forEach((el) => el.classList.remove("target"));
  document.querySelectorAll(".target-tools").forEach((el) => el.remove());
  const id = decodeURIComponent(location.hash.slice(1));
  const el = id && document.getElementById(id);
  if (!el || !el.classList.contains("passage")) return;
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
  (el.tagName === "TR" ? el.closest("table") : el).after(tools);
  el.scrollIntoView({ block: "center" });
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("button.cite").forEach(wireCiteButton);
  markTarget();
  window.addEventListener("hashchange", markTarget);
});
