// Questions shown only when an earlier answer calls for them (show_if): with JavaScript a
// question whose condition is not met is hidden and its fields are disabled, so nothing is
// sent for it; without JavaScript every question is shown with its condition written above it,
// and the server discards answers to a question whose condition is not met.
(function () {
  "use strict";
  var conditional = document.querySelectorAll("fieldset[data-show-if]");
  if (!conditional.length) return;
  var form = conditional[0].closest("form");

  function chosen(questionId) {
    var ids = [];
    var prefix = "q" + questionId + "-";
    form.querySelectorAll("input, select").forEach(function (el) {
      if (!el.name || el.name.indexOf(prefix) !== 0 || el.disabled) return;
      if (el.name === prefix + "choice" && el.checked) ids.push(el.value);
      var rank = el.name.match(/^q\d+-rank-(\d+)$/);
      if (rank && el.value) ids.push(rank[1]);
    });
    return ids;
  }

  function update() {
    conditional.forEach(function (fieldset) {
      var wanted = fieldset.getAttribute("data-show-if-options").split(" ");
      var have = chosen(fieldset.getAttribute("data-show-if"));
      var shown = have.some(function (id) { return wanted.indexOf(id) !== -1; });
      fieldset.hidden = !shown;
      fieldset.querySelectorAll("input, select, textarea").forEach(function (el) {
        if (el.hasAttribute("data-condition-disabled") || !el.disabled || !shown) {
          if (shown) {
            if (el.hasAttribute("data-condition-disabled")) {
              el.disabled = false;
              el.removeAttribute("data-condition-disabled");
            }
          } else if (!el.disabled) {
            el.disabled = true;
            el.setAttribute("data-condition-disabled", "");
          }
        }
      });
    });
  }

  form.addEventListener("change", update);
  update();
})();
