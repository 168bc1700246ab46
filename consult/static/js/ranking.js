// Progressive enhancement of the ballot. Ranking questions: the labelled selects stay the form
// fields (hidden from view); an ordered list with buttons sets their values. By keyboard, the
// focus stays on the row that was added or moved; on a focused row the arrow keys move it and
// Delete removes it (with an undo); every change is announced. Without JavaScript the selects
// work as they are. The whole form: a warning before leaving with changes not saved.
(function () {
  "use strict";

  function enhance(fieldset) {
    var d = fieldset.dataset;
    var selects = Array.prototype.slice.call(fieldset.querySelectorAll(".rank-field select"));
    if (!selects.length) { return; }
    var items = selects.map(function (select) {
      var option = select.closest(".option");
      return {
        select: select,
        label: option.querySelector(".option-title").textContent,
        rank: parseInt(select.value, 10) || 0
      };
    });
    var ranked = items.filter(function (i) { return i.rank > 0; })
      .sort(function (a, b) { return a.rank - b.rank; });
    var unranked = items.filter(function (i) { return i.rank === 0; });
    var lastRemoved = null;

    var box = document.createElement("div");
    box.className = "rank-widget";
    var live = document.createElement("p");
    live.className = "visually-hidden";
    live.setAttribute("aria-live", "polite");
    var h1 = document.createElement("h3");
    h1.textContent = d.ranked;
    var keys = document.createElement("p");
    keys.className = "muted";
    keys.textContent = d.keys;
    var list = document.createElement("ol");
    list.className = "rank-list";
    var undoBox = document.createElement("p");
    undoBox.className = "rank-undo";
    undoBox.hidden = true;
    var h2 = document.createElement("h3");
    h2.textContent = d.unranked;
    var rest = document.createElement("ul");
    rest.className = "rank-list";
    box.append(h1, keys, list, undoBox, h2, rest, live);
    fieldset.querySelector(".option").before(box);
    selects.forEach(function (s) { s.closest(".rank-field").hidden = true; });

    function button(text, label, onClick) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "button";
      b.textContent = text;
      b.setAttribute("aria-label", label);
      b.addEventListener("click", onClick);
      return b;
    }

    function changed() {
      fieldset.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function sync(focusItem, focusAction) {
      ranked.forEach(function (item, i) { item.select.value = String(i + 1); });
      unranked.forEach(function (item) { item.select.value = ""; });
      list.textContent = "";
      rest.textContent = "";
      ranked.forEach(function (item, i) {
        var li = document.createElement("li");
        li.tabIndex = 0;
        li.setAttribute("aria-label", item.label + " — " + d.position.replace("{n}", i + 1));
        var span = document.createElement("span");
        span.className = "rank-label";
        span.textContent = item.label;
        li.append(span);
        var up = button("↑", d.moveUp + ": " + item.label, function () { move(item, -1, "up"); });
        up.disabled = i === 0;
        var down = button("↓", d.moveDown + ": " + item.label, function () { move(item, 1, "down"); });
        down.disabled = i === ranked.length - 1;
        var remove = button("×", d.remove + ": " + item.label, function () { removeItem(item); });
        up.dataset.action = "up"; down.dataset.action = "down"; remove.dataset.action = "remove";
        li.append(up, down, remove);
        li.addEventListener("keydown", function (event) {
          if (event.target !== li) { return; }
          if (event.key === "ArrowUp") { event.preventDefault(); move(item, -1, "row"); }
          else if (event.key === "ArrowDown") { event.preventDefault(); move(item, 1, "row"); }
          else if (event.key === "Delete" || event.key === "Backspace") {
            event.preventDefault();
            removeItem(item);
          }
        });
        item.node = li;
        list.append(li);
      });
      unranked.forEach(function (item) {
        var li = document.createElement("li");
        li.className = "unranked";
        var span = document.createElement("span");
        span.className = "rank-label";
        span.textContent = item.label;
        var add = button("+", d.add + ": " + item.label, function () {
          unranked.splice(unranked.indexOf(item), 1);
          ranked.push(item);
          announce(item.label + " — " + d.position.replace("{n}", ranked.length));
          sync(item, "row");
          changed();
        });
        add.dataset.action = "add";
        li.append(span, add);
        item.node = li;
        rest.append(li);
      });
      if (focusItem && focusItem.node) {
        // The row itself, or the button pressed while it can still be pressed; never a
        // button that a second press would turn against the user (the "×" after an add).
        var target = focusAction === "row" ? focusItem.node
          : focusItem.node.querySelector('[data-action="' + focusAction + '"]:not([disabled])') ||
            (focusItem.node.tabIndex === 0 ? focusItem.node : focusItem.node.querySelector("button"));
        if (target) { target.focus(); }
      }
    }

    function move(item, delta, action) {
      var i = ranked.indexOf(item);
      var j = i + delta;
      if (j < 0 || j >= ranked.length) { return; }
      ranked[i] = ranked[j];
      ranked[j] = item;
      announce(item.label + " — " + d.position.replace("{n}", j + 1));
      sync(item, action);
      changed();
    }

    function removeItem(item) {
      var at = ranked.indexOf(item);
      ranked.splice(at, 1);
      unranked.push(item);
      lastRemoved = { item: item, at: at };
      var text = d.removed.replace("{label}", item.label);
      undoBox.textContent = text + " ";
      undoBox.append(button(d.undo, d.undo + ": " + item.label, undo));
      undoBox.hidden = false;
      announce(text);
      var next = ranked[Math.min(at, ranked.length - 1)];
      sync(next || null, "row");
      if (!next) { undoBox.querySelector("button").focus(); }
      changed();
    }

    function undo() {
      if (!lastRemoved) { return; }
      var item = lastRemoved.item;
      unranked.splice(unranked.indexOf(item), 1);
      ranked.splice(Math.min(lastRemoved.at, ranked.length), 0, item);
      lastRemoved = null;
      undoBox.hidden = true;
      undoBox.textContent = "";
      announce(item.label + " — " + d.position.replace("{n}", ranked.indexOf(item) + 1));
      sync(item, "row");
      changed();
    }

    function announce(text) { live.textContent = text; }

    sync(null, null);
  }

  document.querySelectorAll("fieldset[data-ranking]").forEach(enhance);

  // Leaving the page with changes not yet saved asks first; saving or submitting does not.
  document.querySelectorAll("form[data-warn-unsaved]").forEach(function (form) {
    var dirty = false;
    function mark() { dirty = true; }
    form.addEventListener("input", mark);
    form.addEventListener("change", mark);
    form.addEventListener("submit", function () { dirty = false; });
    window.addEventListener("beforeunload", function (event) {
      if (!dirty) { return; }
      event.preventDefault();
      event.returnValue = "";
    });
  });
})();
