// Settings → Backup & Import (loaded by backup.html and import_progress.html;
// the CSP allows no inline script).
//  * The import form uploads the file as the raw request body with a
//    progress bar, then opens the preview. Without JavaScript the form
//    still posts multipart and the server redirects to the preview.
//  * "Check a backup file" uploads the same way to /api/backups/verify and
//    shows the report (the JSON of `arkwiki backup verify --json`).
//  * Forms with data-confirm ask before submitting.
//  * The progress page polls /api/restore/status every 500 ms. While the
//    data is swapped every request gets 503: that means "keep waiting".
(function () {
  'use strict';

  function formatBytes(n) {
    var units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
    var i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return (i === 0 ? n : n.toFixed(n < 10 ? 1 : 0)) + ' ' + units[i];
  }

  function errorText(xhr) {
    try {
      var body = JSON.parse(xhr.responseText);
      if (body && body.error) return body.error;
    } catch (e) { /* not JSON */ }
    return 'the server answered ' + xhr.status + ' ' + xhr.statusText;
  }

  // Sends the form's one chosen file as the body of a POST to its
  // data-upload-url, showing the upload's progress; `done(xhr, ui)` gets the
  // answer, and `lost` is said when the connection fails.
  function setupArchiveUpload(form, onStart, done, lost) {
    var input = form.querySelector('input[type="file"]');
    var ui = {
      box: form.querySelector('.upload-progress'),
      bar: form.querySelector('progress'),
      status: form.querySelector('[role="status"]'),
      button: form.querySelector('button[type="submit"]')
    };
    form.addEventListener('submit', function (event) {
      if (!input.files || input.files.length !== 1) return;
      event.preventDefault();
      var file = input.files[0];
      var xhr = new XMLHttpRequest();
      xhr.open('POST', form.getAttribute('data-upload-url') + '?name=' +
               encodeURIComponent(file.name));
      xhr.setRequestHeader('Content-Type', 'application/zip');
      xhr.setRequestHeader('Accept', 'application/json');
      xhr.setRequestHeader('X-CSRF-Token', form.getAttribute('data-csrf'));
      ui.box.hidden = false;
      onStart();
      ui.button.disabled = true;
      ui.bar.removeAttribute('value');
      ui.status.textContent = 'Uploading…';
      xhr.upload.onprogress = function (e) {
        if (!e.lengthComputable) return;
        ui.bar.max = e.total;
        ui.bar.value = e.loaded;
        ui.status.textContent = 'Uploading: ' + formatBytes(e.loaded) + ' of ' +
                                formatBytes(e.total);
      };
      xhr.upload.onload = function () {
        ui.bar.removeAttribute('value');
        ui.status.textContent = 'Uploaded. Checking every file in the backup…';
      };
      xhr.onload = function () { done(xhr, ui); };
      xhr.onerror = function () {
        ui.button.disabled = false;
        ui.status.textContent = lost;
      };
      xhr.send(file);
    });
  }

  function setupImportForm(form) {
    setupArchiveUpload(form, function () {}, function (xhr, ui) {
      if (xhr.status === 201 || xhr.status === 200) {
        var body = JSON.parse(xhr.responseText);
        window.location.assign(body.preview_url);
        return;
      }
      ui.button.disabled = false;
      ui.bar.value = 0;
      ui.status.textContent = 'Not imported: ' + errorText(xhr) + '. The wiki was not changed.';
    }, 'The upload failed (connection lost). The wiki was not changed.');
  }

  function addFact(list, term, value) {
    var dt = document.createElement('dt');
    dt.textContent = term;
    var dd = document.createElement('dd');
    dd.textContent = value;
    list.appendChild(dt);
    list.appendChild(dd);
  }

  // The report of POST /api/backups/verify, built with textContent only.
  function showCheckReport(box, report) {
    box.textContent = '';
    var head = document.createElement('p');
    head.className = report.ok ? 'flash flash-success' : 'flash flash-error';
    head.setAttribute('role', 'alert');
    head.textContent = report.ok
      ? 'The backup checked out: ' + report.files_checked + ' files, ' +
        formatBytes(report.bytes_checked) + ' verified.'
      : 'The backup is damaged or not an arkwiki backup: ' + report.error;
    box.appendChild(head);
    if (report.ok && report.manifest) {
      var m = report.manifest;
      var facts = document.createElement('dl');
      facts.className = 'import-facts';
      addFact(facts, 'Contents', m.partial
        ? 'database only (leaves out the uploaded files)' : 'full');
      addFact(facts, 'Made', m.created_at);
      addFact(facts, 'Site title', m.site_title);
      addFact(facts, 'Made by', 'arkwiki ' + m.app_version + ' (backup format ' +
              m.format_version + ', database schema ' + m.schema_version + ')');
      addFact(facts, 'Pages', m.counts.pages);
      addFact(facts, 'Revisions', m.counts.revisions);
      addFact(facts, 'Users', m.counts.users);
      addFact(facts, 'Files', m.counts.uploads);
      addFact(facts, 'File size', formatBytes(report.archive_bytes));
      box.appendChild(facts);
    }
    box.hidden = false;
  }

  function setupCheckForm(form) {
    var report = document.getElementById('check-report');
    setupArchiveUpload(form, function () { report.hidden = true; }, function (xhr, ui) {
      ui.button.disabled = false;
      ui.bar.value = 0;
      if (xhr.status === 200) {
        ui.status.textContent = 'Checked. The file was deleted from the server.';
        showCheckReport(report, JSON.parse(xhr.responseText));
        return;
      }
      ui.status.textContent = 'Not checked: ' + errorText(xhr) + '.';
    }, 'The upload failed (connection lost).');
  }

  var kPhases = ['safety backup', 'preparing', 'swapping', 'done'];

  function showPhase(root, phase) {
    var index = kPhases.indexOf(phase);
    var items = root.querySelectorAll('[data-phase]');
    for (var i = 0; i < items.length; i++) {
      var at = kPhases.indexOf(items[i].getAttribute('data-phase'));
      items[i].className = at < index ? 'phase-done' : (at === index ? 'phase-current' : '');
    }
    root.querySelector('progress').value = index < 0 ? 0 : index + (phase === 'done' ? 1 : 0.5);
  }

  function setupProgress(root) {
    var status = root.querySelector('[role="status"]');
    var statusUrl = root.getAttribute('data-status-url');
    var resultUrl = root.getAttribute('data-result-url');
    var sawSwap = false;
    function again() { window.setTimeout(poll, 500); }
    function poll() {
      var xhr = new XMLHttpRequest();
      xhr.open('GET', statusUrl);
      xhr.setRequestHeader('Accept', 'application/json');
      xhr.onload = function () {
        if (xhr.status === 503) {
          sawSwap = true;
          showPhase(root, 'swapping');
          status.textContent = 'Swapping data… the wiki is briefly unavailable.';
          return again();
        }
        if (xhr.status === 401) {
          status.innerHTML = '';
          status.appendChild(document.createTextNode(
            'The restore has finished, and your account is not in the restored data, so you ' +
            'have been logged out. '));
          var a = document.createElement('a');
          a.href = root.getAttribute('data-login-href');
          a.textContent = 'Log in with an account from the backup';
          status.appendChild(a);
          showPhase(root, 'done');
          return;
        }
        if (xhr.status === 403 || xhr.status === 404) {
          // Not an admin in the restored data, or the server restarted.
          status.textContent = 'Cannot follow the progress any more (' + errorText(xhr) +
            '). Open the result link below.';
          return;
        }
        if (xhr.status !== 200) {
          status.textContent = 'Cannot read the progress (' + errorText(xhr) + ').';
          return again();
        }
        var job = JSON.parse(xhr.responseText);
        showPhase(root, job.phase);
        if (job.state === 'running') {
          status.textContent = job.phase === 'swapping' ? 'Swapping data…' :
            'Working: ' + job.phase + '…';
          return again();
        }
        window.location.assign(resultUrl);
      };
      xhr.onerror = function () {
        // The connection may drop while the server swaps its data.
        status.textContent = sawSwap ? 'Swapping data…' : 'Waiting for the server…';
        again();
      };
      xhr.send();
    }
    poll();
  }

  document.addEventListener('DOMContentLoaded', function () {
    var form = document.getElementById('import-form');
    if (form && window.XMLHttpRequest) setupImportForm(form);
    var check = document.getElementById('check-form');
    if (check && window.XMLHttpRequest) setupCheckForm(check);
    var confirmForms = document.querySelectorAll('form[data-confirm]');
    for (var i = 0; i < confirmForms.length; i++) {
      confirmForms[i].addEventListener('submit', function (event) {
        if (!window.confirm(this.getAttribute('data-confirm'))) event.preventDefault();
      });
    }
    var progress = document.getElementById('restore-progress');
    if (progress) setupProgress(progress);
  });
})();
