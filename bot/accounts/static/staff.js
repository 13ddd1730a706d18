// Shared by the staff pages (operator console, editors' workspace): JSON calls to the server's
// API with the session's CSRF token; a signed-out session goes back to the sign-in page.
window.MigAssistStaff = {
  api: function (csrf, method, path, body) {
    "use strict";
    var options = { method: method, credentials: "same-origin", headers: {} };
    if (method !== "GET") {
      options.headers["X-CSRF-Token"] = csrf || "";
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body || {});
    }
    return fetch(path, options).then(function (response) {
      if (response.status === 401) {
        location.href = "/login?next=" + encodeURIComponent(location.pathname);
        throw new Error("signed out");
      }
      return response.json().then(function (data) { return { status: response.status, data: data }; });
    });
  }
};
