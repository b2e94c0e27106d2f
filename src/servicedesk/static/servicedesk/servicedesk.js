// Small progressive enhancements; every page works without them.
document.addEventListener("keydown", (event) => {
  // "/" focuses the search box, as in most desks.
  if (event.key === "/" && !["INPUT", "TEXTAREA", "SELECT"].includes(document.activeElement.tagName)) {
    const box = document.querySelector(".topsearch input");
    if (box) { event.preventDefault(); box.focus(); }
  }
});
