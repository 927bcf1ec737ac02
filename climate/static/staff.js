// Staff pages work without this script; with it, the grades a new administration offers
// follow the chosen instrument: grades outside its band are hidden and unticked (the
// server refuses them anyway, at the field).
(function () {
  "use strict";
  var select = document.getElementById("instrument");
  if (!select) return;
  var boxes = document.querySelectorAll('input[name="grades"]');
  function follow() {
    var chosen = select.options[select.selectedIndex];
    if (!chosen || !chosen.dataset.low) return;
    var low = Number(chosen.dataset.low), high = Number(chosen.dataset.high);
    boxes.forEach(function (box) {
      var inside = Number(box.value) >= low && Number(box.value) <= high;
      box.closest("label").hidden = !inside;
      if (!inside) box.checked = false;
    });
  }
  select.addEventListener("change", follow);
  follow();
})();
