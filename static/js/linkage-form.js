// The outgoing server's own account and password are needed only with 認証方式 = 指定する:
// hide them otherwise (without JavaScript both simply stay visible, and the server ignores them).
(function () {
  "use strict";
  var radios = document.querySelectorAll('input[name="smtp_auth"]');
  var blocks = ["div_id_smtp_account", "div_id_smtp_password"]
    .map(function (id) { return document.getElementById(id); })
    .filter(Boolean);
  if (!radios.length || !blocks.length) { return; }
  function update() {
    var custom = document.querySelector('input[name="smtp_auth"][value="custom"]:checked');
    blocks.forEach(function (block) { block.hidden = !custom; });
  }
  radios.forEach(function (radio) { radio.addEventListener("change", update); });
  update();
})();
