// Action completions for the policy editor: the directory's own actions and those of every registered service,
// offered while typing inside a string (Ctrl-Space, or as you type after "service:"). Fetched once per page from
// the REST API with the console's session; a caller who may not list them simply gets no completions.
(function () {
  "use strict";

  var actions = null;

  function load(url) {
    if (actions) { return Promise.resolve(actions); }
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { actions: [] }; })
      .then(function (body) { actions = body.actions || []; return actions; })
      .catch(function () { actions = []; return actions; });
  }

  function completer(url) {
    return {
      identifierRegexps: [/[a-zA-Z0-9_:*\-]/],
      getCompletions: function (editor, session, pos, prefix, callback) {
        var token = session.getTokenAt(pos.row, pos.column);
        if (!token || token.type.indexOf("string") === -1 || !prefix) { callback(null, []); return; }
        load(url).then(function (list) {
          var wanted = prefix.toLowerCase();
          callback(null, list.filter(function (item) {
            return item.action.toLowerCase().indexOf(wanted) === 0 ||
              item.action.toLowerCase().indexOf(":" + wanted) > 0;
          }).slice(0, 200).map(function (item) {
            return { caption: item.action, value: item.action, meta: item.access_level, score: 1000 };
          }));
        });
      }
    };
  }

  function attach() {
    var script = document.querySelector("script[data-actions-url]");
    if (!script || !window.ace) { return; }
    var url = script.getAttribute("data-actions-url");
    var tools = window.ace.require("ace/ext/language_tools");
    if (!tools) { return; }
    document.querySelectorAll("[data-policy-editor]").forEach(function (root) {
      var editor = root.editor;
      if (!editor || editor.getReadOnly()) { return; }
      editor.setOptions({ enableBasicAutocompletion: [completer(url)], enableLiveAutocompletion: [completer(url)] });
    });
  }

  // policy_editor.js builds the editors on DOMContentLoaded; attach once they exist.
  window.addEventListener("load", attach);
})();
