// Search-as-you-type region picker. No framework: an input marked data-region-picker, a list
// to show results in, and the JSON search endpoint. In "navigate" mode a result is a link to
// the region page; in "field" mode choosing a result fills the hidden input holding the code.
(function () {
  "use strict";

  function setup(input) {
    var list = document.getElementById(input.dataset.results);
    var hidden = input.dataset.target ? document.getElementById(input.dataset.target) : null;
    var url = input.dataset.searchUrl;
    var level = input.dataset.level || "";
    var timer = null;
    var controller = null;

    function clear() {
      while (list.firstChild) list.removeChild(list.firstChild);
    }

    function item(result) {
      var el;
      if (hidden) {
        el = document.createElement("button");
        el.type = "button";
        el.addEventListener("click", function () {
          hidden.value = result.code;
          input.value = result.label;
          clear();
        });
      } else {
        el = document.createElement("a");
        el.href = input.dataset.detailUrl.replace("__code__", encodeURIComponent(result.code));
      }
      el.className = "list-group-item list-group-item-action";
      var name = document.createElement("div");
      name.textContent = result.label;
      el.appendChild(name);
      if (result.context) {
        var ctx = document.createElement("small");
        ctx.className = "text-body-secondary";
        ctx.textContent = result.context;
        el.appendChild(ctx);
      }
      return el;
    }

    function search() {
      var term = input.value.trim();
      // A typed code counts as chosen; a typed name waits for a choice from the list.
      if (hidden) hidden.value = /^[0-9.]+$/.test(term) ? term : "";
      if (term.length < 2) { clear(); return; }
      if (controller) controller.abort();
      controller = new AbortController();
      var query = "?q=" + encodeURIComponent(term) + (level ? "&level=" + level : "");
      fetch(url + query, { signal: controller.signal, headers: { "Accept": "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          clear();
          if (!data.results.length) {
            var none = document.createElement("div");
            none.className = "list-group-item text-body-secondary";
            none.textContent = input.dataset.emptyText;
            list.appendChild(none);
          }
          data.results.forEach(function (result) { list.appendChild(item(result)); });
        })
        .catch(function () { /* aborted by a newer keystroke, or offline: keep the old list */ });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(search, 250);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Escape") clear();
    });
  }

  document.querySelectorAll("[data-region-picker]").forEach(setup);
})();
