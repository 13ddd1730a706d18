// MigAssist content editors' workspace. Content and user questions are untrusted: the DOM is
// built with createElement/textContent only (never innerHTML), and the page runs under a strict CSP.
(function () {
  "use strict";
  var LANGS = ["az", "ru", "en"];
  var me = null;
  var articles = [];
  var current = null;      // {id, path, form}
  var intents = [];
  var strings = {};
  var uiLang = localStorage.getItem("migassist.editor.lang");
  if (LANGS.indexOf(uiLang) < 0) {
    uiLang = (navigator.language || "az").slice(0, 2).toLowerCase();
    if (LANGS.indexOf(uiLang) < 0) uiLang = "az";
  }

  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  // Translated UI text; {placeholders} are filled after translation (values are plain text).
  function t(key, values) {
    var text = (strings[uiLang] && strings[uiLang][key]) || (strings.en && strings.en[key]) || key;
    return text.replace(/\{(\w+)\}/g, function (all, name) { return values && name in values ? String(values[name]) : all; });
  }
  function status(code) { return t("status_" + code); }
  function applyLanguage() {
    document.documentElement.lang = uiLang;
    $("ui-lang").value = uiLang;
    document.querySelectorAll("[data-i18n]").forEach(function (n) { n.textContent = t(n.dataset.i18n); });
    document.querySelectorAll("[data-i18n-placeholder]").forEach(function (n) { n.placeholder = t(n.dataset.i18nPlaceholder); });
  }
  function toast(text) { $("toast").textContent = text || ""; }
  function button(text, onClick, cls) {
    var b = el("button", cls || null, text);
    b.type = "button";
    b.addEventListener("click", function (event) { event.stopPropagation(); onClick(); });
    return b;
  }

  function api(method, path, body) {
    return window.MigAssistStaff.api(me ? me.csrf : "", method, path, body);
  }
  function ok(result) {
    if (result.status < 300) return true;
    var data = result.data || {};
    var known = strings.en && strings.en["error_" + data.error];
    var lead = known ? t("error_" + data.error) : t("refused", { error: data.error || result.status });
    // The server's detail (names of articles, languages, validation findings) follows in English.
    toast(lead + (data.message ? "\n" + data.message : "") + (data.problems ? "\n" + data.problems.join("\n") : ""));
    return false;
  }

  // Responses can arrive out of order (a refresh racing a click): for each kind of request only
  // the latest one may render. latest(kind) returns a check to call when the response arrives.
  var requestCounters = {};
  function latest(kind) {
    var mine = (requestCounters[kind] || 0) + 1;
    requestCounters[kind] = mine;
    return function () { return requestCounters[kind] === mine; };
  }

  // --- tabs -------------------------------------------------------------------------------
  var loaders = {};
  function showTab(name) {
    Array.prototype.forEach.call(document.querySelectorAll(".tab"), function (tab) {
      tab.classList.toggle("active", tab.dataset.tab === name);
    });
    Array.prototype.forEach.call(document.querySelectorAll(".panel"), function (panel) {
      panel.hidden = panel.id !== "tab-" + name;
    });
    if (loaders[name]) loaders[name]();
  }
  Array.prototype.forEach.call(document.querySelectorAll(".tab"), function (tab) {
    tab.addEventListener("click", function () { toast(""); showTab(tab.dataset.tab); });
  });

  // --- articles ---------------------------------------------------------------------------
  function loadArticles() {
    var isLatest = latest("articles");
    return api("GET", "/editor/api/articles").then(function (result) {
      if (!isLatest() || !ok(result)) return;
      articles = result.data;
      renderArticles();
    });
  }
  function matches(article, query) {
    if (!query) return true;
    var hay = [article.id, article.intents.join(" ")].concat(LANGS.map(function (l) { return article.titles[l]; }));
    return hay.join(" ").toLowerCase().indexOf(query) !== -1;
  }
  function renderArticles() {
    var list = $("articles");
    var query = $("article-search").value.trim().toLowerCase();
    clear(list);
    articles.filter(function (a) { return matches(a, query); }).forEach(function (article) {
      var li = el("li", "card" + (article.stale.length ? " stale" : ""));
      li.dataset.article = article.id;
      li.appendChild(el("strong", null, article.titles.en));
      li.appendChild(el("span", "meta", article.id + " · " + article.intents.join(", ") + " · " + t("verified_on") + " " + article.verified_on));
      var badges = el("span");
      article.stale.forEach(function (lang) { badges.appendChild(el("span", "badge stale-" + lang, t("stale_badge", { language: lang }))); });
      article.pending.forEach(function (rev) { badges.appendChild(el("span", "badge", "r" + rev.revision + " " + status(rev.status))); });
      li.appendChild(badges);
      li.addEventListener("click", function () { openArticle(article.id); });
      list.appendChild(li);
    });
  }
  $("article-search").addEventListener("input", renderArticles);

  function openArticle(id, revision) {
    var path = "/editor/api/articles/" + encodeURIComponent(id) + (revision ? "?revision=" + revision : "");
    var isLatest = latest("article");
    return api("GET", path).then(function (result) {
      if (!isLatest() || !ok(result)) return;
      current = { id: id, path: result.data.path, form: result.data.form, revision: result.data.revision };
      fillForm(current.form);
      showCreateMode(false);
      $("article").hidden = false;
      $("article-title").textContent = id;
      $("article-file").textContent = current.path + " · " + (current.revision
        ? t("showing_revision", { revision: current.revision.revision, status: status(current.revision.status) })
        : t("showing_published"));
      $("draft-status").textContent = "";
      loadHistory();
      if ($("preview-panel").open) loadPreview();
    });
  }
  function fillForm(form) {
    LANGS.forEach(function (lang) {
      $("title-" + lang).value = form.texts[lang].title;
      $("answer-" + lang).value = form.texts[lang].answer;
      $("details-" + lang).value = form.texts[lang].details;
      var stale = form.stale.indexOf(lang) !== -1;
      document.querySelector('fieldset[data-lang="' + lang + '"]').classList.toggle("is-stale", stale);
      $("confirm-" + lang).checked = false;
      $("confirm-" + lang).parentNode.hidden = !stale;
    });
    $("stale-banner").hidden = !form.stale.length;
    $("stale-banner").textContent = form.stale.length
      ? t("stale_banner", { source: form.source_language, languages: form.stale.join(", ") })
      : "";
    $("legal-basis").value = form.legal_basis.map(function (ref) { return (ref.act + " " + ref.article).trim(); }).join("\n");
    $("sources").value = form.lists.sources.join("\n");
    $("intents").value = form.lists.intents.join(", ");
    $("tables-used").value = form.lists.tables.join(", ");
    ["effective_from", "effective_to", "verified_on"].forEach(function (name) { $(name).value = form.dates[name] || ""; });
    $("confidence").value = form.confidence;
  }
  function splitList(text, separator) {
    return text.split(separator).map(function (s) { return s.trim(); }).filter(Boolean);
  }
  function collectEdit() {
    var texts = {};
    var confirm = [];
    LANGS.forEach(function (lang) {
      texts[lang] = { title: $("title-" + lang).value, answer: $("answer-" + lang).value, details: $("details-" + lang).value };
      if ($("confirm-" + lang).checked) confirm.push(lang);
    });
    return {
      texts: texts,
      confirm: confirm,
      legal_basis: splitList($("legal-basis").value, "\n").map(function (line) {
        var parts = line.split(/\s+/);
        return { act: parts[0], article: parts.slice(1).join(" ") };
      }),
      lists: {
        sources: splitList($("sources").value, "\n"),
        intents: splitList($("intents").value, ","),
        tables: splitList($("tables-used").value, ",")
      },
      dates: { effective_from: $("effective_from").value || null, effective_to: $("effective_to").value || null, verified_on: $("verified_on").value },
      confidence: $("confidence").value,
      comment: $("change-comment").value
    };
  }
  $("save-form").addEventListener("submit", function (event) {
    event.preventDefault();
    if (!current) return;
    var request;
    if (current.creating) {
      var edit = collectEdit();
      edit.id = $("new-id").value.trim();
      edit.path = $("new-path").value;
      edit.source_language = $("new-source").value;
      if (current.messageId) edit.message_id = current.messageId;
      current.id = edit.id;
      request = api("POST", "/editor/api/articles", edit);
    } else {
      request = api("POST", "/editor/api/articles/" + encodeURIComponent(current.id), collectEdit());
    }
    request.then(function (result) {
      if (!ok(result)) return;
      var rev = result.data;
      toast(t("draft_saved", { revision: rev.revision }));
      openArticle(current.id, rev.id).then(function () {
        $("draft-status").textContent = t("draft_saved", { revision: rev.revision }) + " ";
        $("draft-status").appendChild(button(t("submit_review"), function () { revisionAction(rev.id, "submit"); }, "submit-review"));
      });
      loadArticles();
    });
  });

  function showCreateMode(on) {
    $("new-article-fields").hidden = !on;
    $("preview-panel").hidden = on;
    $("history-panel").hidden = on;
  }
  // A new article: an empty form (all three languages are required), optionally answering an
  // unanswered question, whose (masked) text is prefilled as the title in its language.
  function newArticle(question) {
    var empty = { title: "", answer: "", details: "" };
    var form = {
      source_language: question && LANGS.indexOf(question.language) >= 0 ? question.language : "az",
      confidence: "U", stale: [], legal_basis: [],
      dates: { verified_on: new Date().toISOString().slice(0, 10), effective_from: null, effective_to: null },
      lists: { sources: [], intents: question && question.intent ? [question.intent] : [], tables: [], related: [] },
      texts: { az: Object.assign({}, empty), ru: Object.assign({}, empty), en: Object.assign({}, empty) }
    };
    if (question) form.texts[form.source_language].title = question.text;
    current = { id: null, creating: true, messageId: question ? question.message_id : null, form: form };
    fillForm(form);
    var paths = {};
    articles.forEach(function (a) { paths[a.path] = true; });
    var select = $("new-path");
    clear(select);
    Object.keys(paths).sort().forEach(function (path) { var o = el("option", null, path); o.value = path; select.appendChild(o); });
    $("new-id").value = "";
    $("new-source").value = form.source_language;
    $("article-title").textContent = t("new_article");
    $("article-file").textContent = "";
    $("draft-status").textContent = "";
    showCreateMode(true);
    $("article").hidden = false;
  }
  $("new-article").addEventListener("click", function () { newArticle(null); });

  function loadPreview() {
    if (!current) return;
    var query = "?language=" + $("preview-language").value + (current.revision ? "&revision=" + current.revision.id : "");
    var isLatest = latest("preview");
    api("GET", "/editor/api/articles/" + encodeURIComponent(current.id) + "/preview" + query).then(function (result) {
      if (!isLatest() || !ok(result)) return;
      renderPreview(result.data);
    });
  }
  function renderPreview(p) {
    var tg = $("preview-telegram"), wa = $("preview-whatsapp"), web = $("preview-web");
    [tg, wa, web].forEach(clear);
    p.telegram.messages.forEach(function (text) { tg.appendChild(el("div", "bubble", text)); });
    p.telegram.buttons.forEach(function (title) { tg.appendChild(el("span", "chip", title)); });
    p.telegram.warnings.forEach(function (w) { tg.appendChild(el("span", "limit", w)); });
    wa.appendChild(el("span", "meta", t("wa_layout", { layout: p.whatsapp.layout })));
    p.whatsapp.messages.forEach(function (message) {
      if (message.type === "text") { wa.appendChild(el("div", "bubble", message.text.body)); return; }
      var interactive = message.interactive;
      wa.appendChild(el("div", "bubble", interactive.body.text));
      if (interactive.type === "button") {
        interactive.action.buttons.forEach(function (b) { wa.appendChild(el("span", "chip", b.reply.title)); });
      } else {
        wa.appendChild(el("span", "chip", "☰ " + interactive.action.button));
        interactive.action.sections[0].rows.forEach(function (row) { wa.appendChild(el("span", "chip", row.title)); });
      }
    });
    p.whatsapp.warnings.forEach(function (w) { wa.appendChild(el("span", "limit", w)); });
    web.appendChild(el("div", "bubble", p.web.text));
    p.web.buttons.forEach(function (title) { web.appendChild(el("span", "chip", title)); });
  }
  $("preview-panel").addEventListener("toggle", function () { if ($("preview-panel").open) loadPreview(); });
  $("preview-language").addEventListener("change", loadPreview);

  function loadHistory() {
    if (!current) return;
    api("GET", "/editor/api/history?path=" + encodeURIComponent(current.path)).then(function (result) {
      if (!ok(result)) return;
      var list = $("history");
      clear(list);
      result.data.forEach(function (rev) { list.appendChild(revisionItem(rev, true)); });
    });
  }

  function revisionItem(rev, inHistory) {
    var li = el("li", "card");
    li.dataset.revision = String(rev.id);
    li.appendChild(el("strong", null, rev.path + " r" + rev.revision + " · " + status(rev.status)));
    li.appendChild(el("span", "meta", t("by_author", { author: rev.author }) + " · " + rev.created_at.slice(0, 16).replace("T", " ") + (rev.comment ? " · " + rev.comment : "")));
    (rev.comments || []).forEach(function (c) { li.appendChild(el("span", "meta", "💬 " + c.author + ": " + c.body)); });
    var actions = el("div", "row");
    actions.appendChild(button(t("diff"), function () { showDiff(rev.id, li); }, "show-diff"));
    if (rev.status === "draft" && me && rev.author === me.username) {
      actions.appendChild(button(t("submit_review"), function () { revisionAction(rev.id, "submit"); }, "submit-review"));
    }
    if (rev.status === "review") {
      actions.appendChild(button(t("publish"), function () { revisionAction(rev.id, "publish"); }, "publish"));
    }
    if (inHistory && rev.status === "published" && rev.published_at) {
      actions.appendChild(button(t("restore"), function () { revisionAction(rev.id, "rollback"); }, "rollback"));
    }
    if (rev.status === "draft" || rev.status === "review") {
      var input = el("input", "comment-text");
      input.placeholder = t("comment");
      actions.appendChild(input);
      actions.appendChild(button(t("comment"), function () {
        api("POST", "/editor/api/revisions/" + rev.id + "/comment", { body: input.value }).then(function (result) {
          if (ok(result)) { toast(t("comment_added")); refresh(); }
        });
      }, "add-comment"));
    }
    li.appendChild(actions);
    return li;
  }

  function showDiff(id, container) {
    api("GET", "/editor/api/revisions/" + id + "/diff").then(function (result) {
      if (!ok(result)) return;
      var pre = container.querySelector("pre.diff") || el("pre", "diff");
      clear(pre);
      result.data.lines.forEach(function (line) {
        var cls = line.charAt(0) === "+" && line.indexOf("+++") !== 0 ? "add" : line.charAt(0) === "-" && line.indexOf("---") !== 0 ? "del" : null;
        pre.appendChild(el("span", cls, line + "\n"));
      });
      container.appendChild(pre);
    });
  }

  var DONE = { submit: "submitted", publish: "published_live", rollback: "restored" };
  function revisionAction(id, action) {
    return api("POST", "/editor/api/revisions/" + id + "/" + action, {}).then(function (result) {
      if (!ok(result)) return;
      toast(t(DONE[action]));
      refresh();
    });
  }
  function refresh() {
    loadArticles();
    loadPending();
    if (current) openArticle(current.id);
  }

  // --- review -----------------------------------------------------------------------------
  function loadPending() {
    var list = $("pending");
    clear(list);  // at once, as in loadInbox
    var isLatest = latest("pending");
    return Promise.all([api("GET", "/editor/api/articles"), api("GET", "/editor/api/tables")]).then(function (results) {
      if (!isLatest()) return;
      clear(list);
      var seen = {};
      results.forEach(function (result) {
        if (!ok(result)) return;
        result.data.forEach(function (item) {
          item.pending.forEach(function (rev) {
            if (seen[rev.id]) return;
            seen[rev.id] = true;
            list.appendChild(revisionItem(rev, false));
          });
        });
      });
      if (!list.firstChild) list.appendChild(el("li", "meta", t("nothing_waiting")));
    });
  }

  // --- data tables ------------------------------------------------------------------------
  var currentTable = null;
  function loadTables() {
    api("GET", "/editor/api/tables").then(function (result) {
      if (!ok(result)) return;
      var list = $("tables");
      clear(list);
      result.data.forEach(function (table) {
        var li = el("li", "card");
        li.appendChild(el("strong", null, table.path));
        table.pending.forEach(function (rev) { li.appendChild(el("span", "badge", "r" + rev.revision + " " + status(rev.status))); });
        li.addEventListener("click", function () {
          api("GET", "/editor/api/table?path=" + encodeURIComponent(table.path)).then(function (r) {
            if (!ok(r)) return;
            currentTable = table.path;
            $("table").hidden = false;
            $("table-path").textContent = table.path;
            $("table-body").value = r.data.body;
          });
        });
        list.appendChild(li);
      });
    });
  }
  $("table-form").addEventListener("submit", function (event) {
    event.preventDefault();
    api("POST", "/editor/api/table", { path: currentTable, body: $("table-body").value, comment: $("table-comment").value }).then(function (result) {
      if (ok(result)) { toast(t("table_saved", { revision: result.data.revision })); loadTables(); }
    });
  });

  // --- inbox ------------------------------------------------------------------------------
  function intentSelect() {
    var select = el("select", "intent-choice");
    intents.forEach(function (name) { var o = el("option", null, name); o.value = name; select.appendChild(o); });
    return select;
  }
  function loadInbox() {
    // Clear at once: actions on rows of an earlier rendering would act on stale choices.
    var list = $("inbox");
    clear(list);
    var isLatest = latest("inbox");
    api("GET", "/editor/api/inbox").then(function (result) {
      if (!isLatest() || !ok(result)) return;
      clear(list);
      if (!result.data.length) list.appendChild(el("li", "meta", t("no_questions")));
      result.data.forEach(function (group) {
        var li = el("li", "card");
        li.appendChild(el("strong", null, group.language + " · " + group.count + " × · " + group.reasons.map(function (r) { return t("reason_" + r); }).join(", ")));
        group.examples.forEach(function (q) {
          var row = el("div", "question");
          row.dataset.message = String(q.message_id);
          row.appendChild(el("span", "question-text", q.text));
          row.appendChild(el("span", "meta", " → " + (q.intent ? q.intent + " " + q.confidence : t("reason_not_understood"))));
          var select = intentSelect();
          if (q.intent) select.value = q.intent;
          row.appendChild(select);
          row.appendChild(button(t("add_example"), function () {
            api("POST", "/editor/api/inbox/" + q.message_id + "/train", { intent: select.value }).then(function (r) {
              if (ok(r)) { toast(t("example_added", { language: r.data.language, intent: r.data.intent })); loadInbox(); }
            });
          }, "train"));
          var article = el("input", "article-id");
          article.placeholder = t("article_id");
          row.appendChild(article);
          row.appendChild(button(t("link_article"), function () {
            api("POST", "/editor/api/inbox/" + q.message_id + "/link", { article_id: article.value }).then(function (r) { if (ok(r)) loadInbox(); });
          }, "link"));
          row.appendChild(button(t("create_article"), function () {
            showTab("articles");
            newArticle(q);
          }, "create-article"));
          row.appendChild(button(t("dismiss"), function () {
            api("POST", "/editor/api/inbox/" + q.message_id + "/dismiss", {}).then(function (r) { if (ok(r)) loadInbox(); });
          }, "dismiss"));
          li.appendChild(row);
        });
        list.appendChild(li);
      });
    });
  }

  // --- training and models -----------------------------------------------------------------
  function loadTraining() {
    var language = $("training-language").value;
    var intent = $("training-intent").value;
    var isLatest = latest("training");
    api("GET", "/editor/api/training?language=" + language + (intent ? "&intent=" + intent : "")).then(function (result) {
      if (!isLatest() || !ok(result)) return;
      var select = $("training-intent");
      if (!select.options.length) {
        Object.keys(result.data.intents).forEach(function (name) { var o = el("option", null, name); o.value = name; select.appendChild(o); });
        return loadTraining();
      }
      Array.prototype.forEach.call(select.options, function (o) { o.textContent = o.value + " (" + result.data.intents[o.value] + ")"; });
      $("training-examples").value = result.data.examples.join("\n");
    });
    loadModels();
  }
  $("training-language").addEventListener("change", loadTraining);
  $("training-intent").addEventListener("change", loadTraining);
  $("training-save").addEventListener("click", function () {
    api("POST", "/editor/api/training", {
      language: $("training-language").value, intent: $("training-intent").value,
      examples: splitList($("training-examples").value, "\n")
    }).then(function (result) { if (ok(result)) { toast(t("examples_saved")); loadTraining(); } });
  });
  $("retrain").addEventListener("click", function () {
    api("POST", "/editor/api/models/retrain", {}).then(function (result) {
      if (ok(result)) { toast(t("training_started", { id: result.data.id })); pollModels(); }
    });
  });
  function figureLine(name, candidate, live) {
    return t("figure", { name: name, new: candidate.toFixed(3), live: live.toFixed(3) });
  }
  function loadModels() {
    var isLatest = latest("models");
    return api("GET", "/editor/api/models").then(function (result) {
      if (!isLatest() || !ok(result)) return result;
      var list = $("models");
      clear(list);
      result.data.forEach(function (model) {
        var li = el("li", "card");
        li.dataset.model = String(model.id);
        li.dataset.status = model.status;
        li.appendChild(el("strong", "model-status", t("model_title", { id: model.id, status: status(model.status) })));
        li.appendChild(el("span", "meta", t("by_author", { author: model.created_by }) + (model.override_reason ? " · " + t("override", { reason: model.override_reason }) : "")));
        if (model.error) li.appendChild(el("span", "limit", model.error));
        if (model.figures) {
          var c = model.figures.candidate, l = model.figures.live;
          li.appendChild(el("span", "figure", figureLine(t("overall_accuracy"), c.overall.accuracy, l.overall.accuracy)));
          li.appendChild(el("span", "figure", figureLine(t("overall_macro_f1"), c.overall.macro_f1, l.overall.macro_f1)));
          Object.keys(l.by_language).forEach(function (lang) {
            li.appendChild(el("span", "figure", figureLine(t("language_accuracy", { language: lang }), (c.by_language[lang] || { accuracy: 0 }).accuracy, l.by_language[lang].accuracy)));
          });
          var details = el("details");
          details.appendChild(el("summary", null, t("per_intent")));
          Object.keys(l.by_intent).forEach(function (intent) {
            details.appendChild(el("div", "meta", figureLine(intent, (c.by_intent[intent] || { f1: 0 }).f1, l.by_intent[intent].f1)));
          });
          li.appendChild(details);
          if (model.regressions.length) li.appendChild(el("span", "limit", t("worse_on", { list: model.regressions.join(", ") })));
        }
        if (model.status === "ready" || model.status === "retired") {
          var reason = el("input", "override-reason");
          reason.placeholder = model.regressions.length ? t("reason_required") : t("note_optional");
          li.appendChild(reason);
          li.appendChild(button(t("activate"), function () {
            api("POST", "/editor/api/models/" + model.id + "/activate", { reason: reason.value }).then(function (r) {
              if (ok(r)) { toast(t("model_live", { id: model.id })); loadModels(); }
            });
          }, "activate"));
        }
        list.appendChild(li);
      });
      return result;
    });
  }
  function pollModels() {
    loadModels().then(function (result) {
      if (result && result.data && result.data.some(function (m) { return m.status === "training"; })) setTimeout(pollModels, 2000);
    });
  }
  $("export").addEventListener("click", function () {
    api("POST", "/editor/api/export", {}).then(function (result) { if (ok(result)) toast(t("exported", { files: result.data.written.join(", ") || t("none") })); });
  });
  $("import").addEventListener("click", function () {
    api("POST", "/editor/api/import", {}).then(function (result) { if (ok(result)) { toast(t("imported", { files: result.data.changed.join(", ") || t("none") })); refresh(); } });
  });

  // --- audit ------------------------------------------------------------------------------
  function loadAudit() {
    api("GET", "/editor/api/audit").then(function (result) {
      if (!ok(result)) return;
      var body = $("audit");
      clear(body);
      result.data.forEach(function (entry) {
        var tr = el("tr");
        [entry.at.slice(0, 19).replace("T", " "), entry.actor, entry.action, entry.target, JSON.stringify(entry.detail)].forEach(function (v) {
          tr.appendChild(el("td", null, v));
        });
        body.appendChild(tr);
      });
    });
  }

  loaders = { articles: loadArticles, tables: loadTables, review: loadPending, inbox: loadInbox, training: loadTraining, audit: loadAudit };

  $("ui-lang").addEventListener("change", function () {
    uiLang = $("ui-lang").value;
    localStorage.setItem("migassist.editor.lang", uiLang);
    applyLanguage();
    var active = document.querySelector(".tab.active");
    if (active) showTab(active.dataset.tab);
  });

  Promise.all([
    api("GET", "/editor/api/me"),
    fetch("/editor/strings.json", { credentials: "same-origin" }).then(function (r) { return r.json(); })
  ]).then(function (loaded) {
    var result = loaded[0];
    strings = loaded[1];
    applyLanguage();
    if (!ok(result)) return;
    me = result.data;
    $("me").textContent = me.name + " (" + me.role + ")";
    $("logout-csrf").value = me.csrf;
    return api("GET", "/editor/api/training?language=az");
  }).then(function (result) {
    if (result && result.status < 300) intents = Object.keys(result.data.intents);
    showTab("articles");
  });
})();
