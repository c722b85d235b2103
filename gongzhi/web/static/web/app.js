// Small shared behaviour for every page: show htmx request errors to the user.
(function () {
  "use strict";
  function toast(text) {
    var box = document.getElementById("toast");
    if (!box) return;
    box.textContent = text;
    box.hidden = false;
    window.clearTimeout(box._timer);
    box._timer = window.setTimeout(function () { box.hidden = true; }, 6000);
  }
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    // DOMParser neither runs scripts nor loads images of the parsed document.
    var doc = new DOMParser().parseFromString(xhr ? xhr.responseText : "", "text/html");
    var text = (doc.body.textContent || "").trim();
    if (!text || text.length > 300) {
      text = "操作未能完成(" + (xhr ? xhr.status : "") + "),请稍后重试。";
    }
    toast(text);
  });
  document.addEventListener("htmx:sendError", function () {
    toast("网络连接失败,请检查网络后重试。");
  });
})();
