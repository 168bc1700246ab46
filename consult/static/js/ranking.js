// Progressive enhancement of ranking questions: the labelled selects stay the form fields
// (hidden from view); an ordered list with buttons, usable by keyboard, sets their values.
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

    var box = document.createElement("div");
    box.className = "rank-widget";
    var live = document.createElement("p");
    live.className = "visually-hidden";
    live.setAttribute("aria-live", "polite");
    var h1 = document.createElement("h3");
    h1.textContent = d.ranked;
    var list = document.createElement("ol");
    list.className = "rank-list";
    var h2 = document.createElement("h3");
    h2.textContent = d.unranked;
    var rest = document.createElement("ul");
    rest.className = "rank-list";
    box.append(h1, list, h2, rest, live);
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

    function sync(focusItem, focusAction) {
      ranked.forEach(function (item, i) { item.select.value = String(i + 1); });
      unranked.forEach(function (item) { item.select.value = ""; });
      list.textContent = "";
      rest.textContent = "";
      ranked.forEach(function (item, i) {
        var li = document.createElement("li");
        var span = document.createElement("span");
        span.className = "rank-label";
        span.textContent = item.label;
        li.append(span);
        var up = button("↑", d.moveUp + ": " + item.label, function () { move(item, -1, "up"); });
        up.disabled = i === 0;
        var down = button("↓", d.moveDown + ": " + item.label, function () { move(item, 1, "down"); });
        down.disabled = i === ranked.length - 1;
        var remove = button("×", d.remove + ": " + item.label, function () {
          ranked.splice(ranked.indexOf(item), 1);
          unranked.push(item);
          announce(item.label + " — " + d.unranked);
          sync(item, "add");
        });
        up.dataset.action = "up"; down.dataset.action = "down"; remove.dataset.action = "remove";
        li.append(up, down, remove);
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
          sync(item, "up");
        });
        add.dataset.action = "add";
        li.append(span, add);
        item.node = li;
        rest.append(li);
      });
      if (focusItem && focusItem.node) {
        var target = focusItem.node.querySelector('[data-action="' + focusAction + '"]:not([disabled])') ||
          focusItem.node.querySelector("button:not([disabled])");
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
    }

    function announce(text) { live.textContent = text; }

    sync(null, null);
  }

  document.querySelectorAll("fieldset[data-ranking]").forEach(enhance);
})();
