// Work queue: "select all" for batch dispatch, and the count of selected cases.
(function () {
  "use strict";
  var all = document.getElementById("select-all");
  var form = document.getElementById("batch-form");
  if (!form) return;
  var counter = document.getElementById("batch-count");
  function boxes() { return document.querySelectorAll("input[name='numbers'][form='batch-form']"); }
  function update() {
    var n = 0;
    boxes().forEach(function (b) { if (b.checked) n += 1; });
    if (counter) counter.textContent = String(n);
  }
  if (all) {
    all.addEventListener("change", function () {
      boxes().forEach(function (b) { b.checked = all.checked; });
      update();
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target && event.target.name === "numbers") update();
  });
  update();
})();
