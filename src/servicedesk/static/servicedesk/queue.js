// The queue's keyboard: "j" / "k" move between ticket rows, Enter opens the focused one.
// Listens on the document, so rows that htmx swaps in later work too.
document.addEventListener("keydown", (event) => {
  if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
  const active = document.activeElement;
  if (active && (["INPUT", "TEXTAREA", "SELECT", "BUTTON"].includes(active.tagName) || active.isContentEditable)) return;
  const rows = Array.from(document.querySelectorAll("#queue-results tr[data-href]"));
  if (!rows.length) return;
  const index = active ? rows.indexOf(active) : -1;
  if (event.key === "j" || event.key === "k") {
    event.preventDefault();
    let next = 0;
    if (index >= 0) next = event.key === "j" ? Math.min(index + 1, rows.length - 1) : Math.max(index - 1, 0);
    rows[next].focus();
    rows[next].scrollIntoView({ block: "nearest" });
  } else if (event.key === "Enter" && index >= 0) {
    event.preventDefault();
    window.location.assign(rows[index].dataset.href);
  }
});
