/* Conveniences only: every page works the same with this script off. */
(function () {
  "use strict";

  function autosubmit() {
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      var form = select.form;
      var button = form && form.querySelector("button[type=submit]");
      if (button) { button.hidden = true; }
      select.addEventListener("change", function () { form.submit(); });
    });
  }

  function copyLinks() {
    if (!navigator.clipboard) { return; }
    document.querySelectorAll("a[data-copy]").forEach(function (link) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "copy-link";
      button.textContent = "Copy link";
      button.addEventListener("click", function () {
        var url = new URL(link.getAttribute("href"), window.location.href).href;
        navigator.clipboard.writeText(url).then(function () {
          button.textContent = "Copied";
          window.setTimeout(function () { button.textContent = "Copy link"; }, 1500);
        });
      });
      link.after(button);
    });
  }

  function narrowFacets() {
    /* On a phone the facets sit above the results: start them folded. */
    if (!window.matchMedia("(max-width: 48rem)").matches) { return; }
    document.querySelectorAll("details.facet").forEach(function (d) {
      if (!d.querySelector(".selected")) { d.open = false; }
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

  document.addEventListener("DOMContentLoaded", function () {
    missingPassage();
    window.addEventListener("hashchange", missingPassage);
    autosubmit();
    copyLinks();
    narrowFacets();
    slashFocusesSearch();
  });
})();
