/* Conveniences only: every page works the same with this script off. */
(function () {
  "use strict";

  function applyOnChoice() {
    /* A choice made with the mouse applies at once. From the keyboard, arrows only move
       through the options (one ArrowDown must not reload the page); Enter or the Apply
       button applies them. */
    function apply(form) {
      if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
    }
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      var form = select.form;
      var pointer = false;
      select.addEventListener("pointerdown", function () { pointer = true; });
      select.addEventListener("keydown", function (event) {
        pointer = false;
        if (event.key === "Enter") {
          event.preventDefault();
          apply(form);
        }
      });
      select.addEventListener("change", function () { if (pointer) { apply(form); } });
    });
  }

  function copyButton(className, label, text) {
    /* A button that copies text() to the clipboard and says "Copied" for a moment. */
    var button = document.createElement("button");
    button.type = "button";
    button.className = className;
    button.textContent = label;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(text()).then(function () {
        button.textContent = "Copied";
        window.setTimeout(function () { button.textContent = label; }, 1500);
      });
    });
    return button;
  }

  function copyLinks() {
    /* Copies the passage's permalink (the link's own address, without the ?q= of the search
       that led here), so a citation never carries someone's query. */
    if (!navigator.clipboard) { return; }
    document.querySelectorAll("a[data-copy]").forEach(function (link) {
      link.after(copyButton("copy-link", "Copy link", function () { return link.href; }));
    });
  }

  function narrowScreens() {
    /* On a phone the filters and a document's metadata would fill the first screen: start
       them folded behind their one-line summaries, so the results and the text come first. */
    if (!window.matchMedia("(max-width: 48rem)").matches) { return; }
    document.querySelectorAll("details.filters, details.doc-meta-box").forEach(function (d) {
      d.open = false;
    });
  }

  function slashFocusesSearch() {
    /* "/" jumps to the search box, as on most search sites, unless one is typing already. */
    document.addEventListener("keydown", function (event) {
      var box = document.getElementById("q");
      var typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName);
      if (event.key === "/" && box && !typing && !event.ctrlKey && !event.metaKey) {
        event.preventDefault();
        box.focus();
        box.select();
      }
    });
  }

  function missingPassage() {
    /* A link to a passage whose text has since changed: say so instead of a bare top of page
       (the server says it already when the link carries ?p=). */
    var hash = window.location.hash;
    var note = document.getElementById("missing-passage");
    if (!note) { return; }
    var gone = hash.indexOf("#p-") === 0 && !document.getElementById(hash.slice(1));
    var told = document.querySelector("p.missing-passage:not(#missing-passage)");
    note.hidden = !gone || Boolean(told);
  }

  function copyCitations() {
    /* A copy button beside each citation; without it every citation stays selectable text. */
    if (!navigator.clipboard) { return; }
    document.querySelectorAll(".citation[data-citation]").forEach(function (block) {
      var button = copyButton("copy-citation secondary", "Copy",
                              function () { return block.textContent.trim(); });
      button.setAttribute("aria-label", "Copy the " + block.getAttribute("data-citation") +
        " citation");
      block.after(button);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    copyCitations();
    missingPassage();
    window.addEventListener("hashchange", missingPassage);
    applyOnChoice();
    copyLinks();
    narrowScreens();
    slashFocusesSearch();
  });
})();
