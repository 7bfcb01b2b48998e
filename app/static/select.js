// Lists with a checkbox per row: a "select all" box in the header ticks or clears every row box.
// Without JavaScript the header box stays hidden and each row is ticked on its own.
"use strict";
document.querySelectorAll("input[data-select-all]").forEach(function (all) {
  var form = all.form;
  var name = all.getAttribute("data-select-all");
  function boxes() {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.type === "checkbox" && el.name === name;
    });
  }
  function sync() {
    var list = boxes();
    var ticked = list.filter(function (el) { return el.checked; }).length;
    all.checked = list.length > 0 && ticked === list.length;
    all.indeterminate = ticked > 0 && ticked < list.length;
  }
  all.hidden = false;
  all.addEventListener("change", function () {
    boxes().forEach(function (el) { el.checked = all.checked; });
  });
  form.addEventListener("change", function (event) {
    if (event.target !== all) { sync(); }
  });
  sync();
});
