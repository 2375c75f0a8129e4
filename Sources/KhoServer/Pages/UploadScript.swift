// The one script of the web app (served at /static/kho-upload.js): resumable uploads with the
// tus 1.0 protocol from the new-product page. Written here, no library, no build step. Files
// chosen, photographed or dropped (whole folders too, every file however many) go up in 4 MiB
// chunks, each with its SHA-256 where the browser can compute it; progress, rate and time
// left per file; pause and resume; retries with growing waits when the line drops; after a
// page reload, choosing the same file again continues where it stopped. The form is sent only
// when every file is up; files already in the archive are named, and the clerk chooses.
enum UploadScript {
    static let text = #"""
    "use strict";
    // The unit field: typing a name (with or without diacritics) offers the codes of the
    // clerk's units by that name.
    (function () {
      var field = document.querySelector("input[data-units]");
      var list = document.getElementById("unit-suggestions");
      if (!field || !list || !window.fetch) return;
      var timer = null;
      field.addEventListener("input", function () {
        clearTimeout(timer);
        var text = field.value.trim();
        if (text.length < 2 || /^[0-9]+$/.test(text)) return;
        timer = setTimeout(function () {
          fetch(field.getAttribute("data-units") + "?scope=mine&q=" + encodeURIComponent(text), { credentials: "same-origin" })
            .then(function (r) { return r.ok ? r.json() : { units: [] }; })
            .then(function (j) {
              list.textContent = "";
              j.units.forEach(function (u) {
                var o = document.createElement("option");
                o.value = u.code;
                o.label = u.fullName + (u.era === "before_2025" ? " (trước 1/7/2025)" : "");
                o.textContent = o.label;
                list.appendChild(o);
              });
            }, function () {});
        }, 250);
      });
    })();
    (function () {
      var box = document.getElementById("uploads");
      if (!box || !window.fetch) return;
      box.hidden = false;
      var endpoint = box.getAttribute("data-endpoint");
      var csrf = box.getAttribute("data-csrf");
      var max = Number(box.getAttribute("data-max"));
      // Saved upload addresses are this user's only, and forgotten after the server's week.
      var prefix = "kho-upload:" + box.getAttribute("data-user") + ":";
      var WEEK = 7 * 24 * 3600 * 1000;
      var list = document.getElementById("upload-list");
      var form = box.closest("form");
      var saveButton = form.querySelector("button[type=submit]");
      var saveLabel = saveButton ? saveButton.textContent : "";
      var unfinishedNote = document.getElementById("unfinished");
      var CHUNK = 4 * 1024 * 1024;
      var items = [];

      function number(n, digits) {
        var fixed = n.toFixed(digits || 0).split(".");
        var whole = fixed[0].replace(/\B(?=(\d{3})+(?!\d))/g, ".");
        return fixed.length > 1 ? whole + "," + fixed[1] : whole;
      }
      function bytes(n) {
        if (n < 1024) return number(n) + " B";
        if (n < 1048576) return number(n / 1024, 1) + " KB";
        if (n < 1073741824) return number(n / 1048576, 1) + " MB";
        return number(n / 1073741824, 2) + " GB";
      }
      function duration(s) {
        if (!isFinite(s)) return "…";
        s = Math.round(s);
        if (s < 60) return s + " giây";
        if (s < 3600) return Math.floor(s / 60) + " phút " + (s % 60) + " giây";
        return Math.floor(s / 3600) + " giờ " + Math.floor((s % 3600) / 60) + " phút";
      }
      function b64(text) {
        var utf8 = new TextEncoder().encode(text), out = "";
        for (var i = 0; i < utf8.length; i++) out += String.fromCharCode(utf8[i]);
        return btoa(out);
      }
      function keyOf(file, path) {
        return prefix + path + "|" + file.size + "|" + file.lastModified;
      }
      function saved(key) {
        try { var v = JSON.parse(localStorage.getItem(key)); return v && Date.now() - v.at < WEEK ? v : null; } catch (e) { return null; }
      }
      function sleep(ms) { return new Promise(function (r) { setTimeout(r, ms); }); }
      function checksum(buffer) {
        // Only on https or localhost do browsers compute SHA-256; elsewhere chunks go without one.
        if (!(window.crypto && crypto.subtle)) return Promise.resolve(null);
        return crypto.subtle.digest("SHA-256", buffer).then(function (d) {
          var a = new Uint8Array(d), s = "";
          for (var i = 0; i < a.length; i++) s += String.fromCharCode(a[i]);
          return "sha256 " + btoa(s);
        });
      }
      function request(method, url, headers, body) {
        var h = { "Tus-Resumable": "1.0.0", "X-CSRF-Token": csrf };
        for (var k in headers) h[k] = headers[k];
        return fetch(url, { method: method, headers: h, body: body, credentials: "same-origin", cache: "no-store" });
      }
      function problem(response) {
        return response.json().then(function (j) { return j.error && j.error.message; }, function () { return null; })
          .then(function (m) { return m || ("Lỗi " + response.status); });
      }

      // `path`: where the file sits in what was chosen or dropped ("folder/sub/name.jpg"), so a
      // manifest's relative paths still find it on the server.
      function Item(file, path) {
        this.file = file;
        this.path = path;
        this.key = keyOf(file, path);
        this.url = null;
        this.offset = 0;
        this.paused = false;
        this.done = false;
        this.running = false;
        var li = document.createElement("li");
        var name = document.createElement("span");
        name.className = "name";
        name.textContent = path;
        this.bar = document.createElement("progress");
        this.bar.max = file.size || 1;
        this.bar.value = 0;
        this.bar.setAttribute("aria-label", "Tiến độ tải " + name.textContent);
        this.status = document.createElement("span");
        this.status.className = "small status";
        this.pauseButton = document.createElement("button");
        this.pauseButton.type = "button";
        this.pauseButton.textContent = "Tạm dừng";
        this.removeButton = document.createElement("button");
        this.removeButton.type = "button";
        this.removeButton.className = "secondary";
        this.removeButton.textContent = "Bỏ tệp";
        this.hidden = document.createElement("input");
        this.hidden.type = "hidden";
        this.hidden.name = "upload";
        li.appendChild(name);
        li.appendChild(this.bar);
        li.appendChild(this.status);
        li.appendChild(this.pauseButton);
        li.appendChild(this.removeButton);
        this.li = li;
        list.appendChild(li);
        var self = this;
        this.pauseButton.addEventListener("click", function () {
          if (self.done) return;
          if (self.paused) { self.paused = false; self.pauseButton.textContent = "Tạm dừng"; self.start(); }
          else { self.paused = true; self.pauseButton.textContent = "Tiếp tục"; self.say("Đã tạm dừng ở " + bytes(self.offset)); }
        });
        this.removeButton.addEventListener("click", function () { self.remove(); });
        if (file.size > max) { this.fail("Tệp lớn hơn " + bytes(max) + ", kho không nhận; chưa gửi byte nào."); return; }
        this.start();
      }
      Item.prototype.say = function (text) { this.status.textContent = text; };
      Item.prototype.fail = function (text) {
        this.say(text);
        this.failed = true;
        this.li.classList.add("failed");
        this.pauseButton.hidden = true;
        refresh();
      };
      Item.prototype.remove = function () {
        this.paused = true;
        var self = this;
        // The server refuses to cancel while a chunk is on its way: cancel once it has ended.
        (function cancel(tries) {
          if (!self.url) return;
          if (self.running && tries < 120) { setTimeout(function () { cancel(tries + 1); }, 500); return; }
          request("DELETE", self.url, {}).then(function (r) { if (r.status === 409 && tries < 120) setTimeout(function () { cancel(tries + 1); }, 1000); }, function () {});
        })(0);
        localStorage.removeItem(this.key);
        if (this.hidden.parentNode) this.hidden.parentNode.removeChild(this.hidden);
        list.removeChild(this.li);
        items = items.filter(function (i) { return i !== this; }, this);
        refresh();
      };
      Item.prototype.start = function () {
        var self = this;
        if (this.running) return;
        this.running = true;
        this.run().then(function () { self.running = false; refresh(); }, function (e) { self.running = false; self.fail(String(e && e.message || e)); });
      };
      // Where the upload stands on the server: from the saved URL after a reload, or a new one.
      Item.prototype.locate = async function () {
        if (this.url == null) { var kept = saved(this.key); this.url = kept && kept.url; }
        if (this.url) {
          var head = await request("HEAD", this.url, {});
          if (head.status === 200) { this.offset = Number(head.headers.get("Upload-Offset")); return head; }
          // Only an upload the server no longer has is started again; anything else is waited out.
          if (head.status !== 404 && head.status !== 410 && head.status !== 403) throw new Error(await problem(head));
          this.url = null;
          localStorage.removeItem(this.key);
        }
        var meta = "filename " + b64(this.file.name) + ",filetype " + b64(this.file.type || "application/octet-stream");
        if (this.path !== this.file.name) meta += ",relativepath " + b64(this.path);
        var made = await request("POST", endpoint, { "Upload-Length": String(this.file.size), "Upload-Metadata": meta });
        if (made.status !== 201) { var p = await problem(made); var e = new Error(p); e.final = made.status < 500; throw e; }
        this.url = made.headers.get("Location");
        this.offset = 0;
        localStorage.setItem(this.key, JSON.stringify({ url: this.url, at: Date.now(), name: this.path }));
        return made;
      };
      Item.prototype.run = async function () {
        var wait = 1000, last = null;
        var started = Date.now(), startOffset = null;
        while (!this.paused && !this.done) {
          try {
            if (last == null) { last = await this.locate(); if (startOffset == null) startOffset = this.offset; }
            if (this.offset >= this.file.size) { this.finish(last); return; }
            var chunk = this.file.slice(this.offset, Math.min(this.file.size, this.offset + CHUNK));
            var buffer = await chunk.arrayBuffer();
            var headers = { "Content-Type": "application/offset+octet-stream", "Upload-Offset": String(this.offset) };
            var sum = await checksum(buffer);
            if (sum) headers["Upload-Checksum"] = sum;
            var r = await request("PATCH", this.url, headers, buffer);
            if (r.status === 204) {
              this.offset = Number(r.headers.get("Upload-Offset"));
              last = r;
              wait = 1000;
              var seconds = (Date.now() - started) / 1000, rate = (this.offset - startOffset) / Math.max(seconds, 0.001);
              this.bar.value = this.offset;
              this.say(bytes(this.offset) + " / " + bytes(this.file.size) + " · " + bytes(rate) + "/s · còn " + duration((this.file.size - this.offset) / rate));
              continue;
            }
            if (r.status === 409 || r.status === 460 || r.status === 404) {
              // Another request still holds it, or the chunk arrived damaged: wait, then ask where it stands.
              this.say("Đang đồng bộ lại… (đã có " + bytes(this.offset) + ")");
              await sleep(wait);
              wait = Math.min(wait * 2, 60000);
              last = null;
              continue;
            }
            var message = await problem(r);
            if (r.status < 500 && r.status !== 429) { var e = new Error(message); e.final = true; throw e; }
            throw new Error(message);
          } catch (e) {
            if (e && e.final) throw e;
            // The line dropped or the server is busy: wait longer each time, then ask where it stands.
            this.say("Mất kết nối, thử lại sau " + duration(wait / 1000) + " (đã có " + bytes(this.offset) + ")");
            await sleep(wait);
            wait = Math.min(wait * 2, 60000);
            last = null;
          }
        }
      };
      Item.prototype.finish = function (last) {
        this.done = true;
        this.bar.value = this.bar.max;
        this.pauseButton.hidden = true;
        this.hidden.value = this.url.split("/").pop();
        this.li.appendChild(this.hidden);
        localStorage.removeItem(this.key);
        var already = last && last.headers.get("Kho-Already-In");
        if (already) {
          var self = this;
          this.say("Đã tải xong. Nội dung này đã có trong kho: ");
          already.split(",").forEach(function (id) {
            var a = document.createElement("a");
            a.href = "/products/" + id.trim();
            a.textContent = "sản phẩm " + id.trim();
            self.status.appendChild(a);
            self.status.appendChild(document.createTextNode(" "));
          });
          this.status.appendChild(document.createTextNode("— vẫn lưu thêm, hoặc bấm “Bỏ tệp”."));
          this.li.classList.add("duplicate");
        } else {
          this.say("Đã tải xong " + bytes(this.file.size));
        }
        refresh();
      };

      function refresh() {
        var waiting = items.filter(function (i) { return !i.done && !i.failed; }).length;
        if (saveButton) saveButton.textContent = waiting ? saveLabel + " (đang tải " + waiting + " tệp…)" : saveLabel;
      }
      function add(files) {
        for (var i = 0; i < files.length; i++) {
          var f = files[i];
          items.push(f.file ? new Item(f.file, f.path) : new Item(f, f.webkitRelativePath || f.name));
        }
        refresh();
      }
      // A dropped folder: every entry, however many (readEntries gives them in batches).
      function walk(entry, out) {
        if (entry.isFile) {
          return new Promise(function (ok) {
            entry.file(function (f) { out.push({ file: f, path: entry.fullPath.replace(/^\/+/, "") }); ok(); }, function () { ok(); });
          });
        }
        if (!entry.isDirectory) return Promise.resolve();
        var reader = entry.createReader();
        return new Promise(function (ok) {
          function next() {
            reader.readEntries(function (batch) {
              if (!batch.length) { ok(); return; }
              Promise.all(batch.map(function (e) { return walk(e, out); })).then(next);
            }, function () { ok(); });
          }
          next();
        });
      }
      document.getElementById("files").addEventListener("change", function (e) { add(e.target.files); e.target.value = ""; });
      document.getElementById("folder").addEventListener("change", function (e) { add(e.target.files); e.target.value = ""; });
      var drop = document.getElementById("drop");
      ["dragenter", "dragover"].forEach(function (t) { drop.addEventListener(t, function (e) { e.preventDefault(); drop.classList.add("over"); }); });
      drop.addEventListener("dragleave", function () { drop.classList.remove("over"); });
      drop.addEventListener("drop", function (e) {
        e.preventDefault();
        drop.classList.remove("over");
        var entries = [], dt = e.dataTransfer;
        if (dt.items && dt.items.length && dt.items[0].webkitGetAsEntry) {
          for (var i = 0; i < dt.items.length; i++) { var en = dt.items[i].webkitGetAsEntry(); if (en) entries.push(en); }
          var out = [];
          Promise.all(entries.map(function (en) { return walk(en, out); })).then(function () { add(out); });
        } else {
          add(dt.files);
        }
      });
      drop.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); document.getElementById("files").click(); } });
      form.addEventListener("submit", function (e) {
        var waiting = items.filter(function (i) { return !i.done && !i.failed; });
        if (waiting.length) {
          e.preventDefault();
          alert("Còn " + waiting.length + " tệp đang tải. Hãy chờ tải xong rồi lưu.");
          return;
        }
        // One save per press: a second press would only wait for the first.
        if (saveButton.disabled) { e.preventDefault(); return; }
        saveButton.disabled = true;
        saveButton.textContent = "Đang lưu…";
      });
      // Uploads a reload interrupted: choosing the same file again continues it.
      var left = [], stale = [];
      for (var i = 0; i < localStorage.length; i++) {
        var k = localStorage.key(i);
        if (!k || k.indexOf("kho-upload:") !== 0) continue;
        var v = k.indexOf(prefix) === 0 ? saved(k) : null;
        if (v) left.push(v.name); else if (k.indexOf(prefix) === 0 || !saved(k)) stale.push(k);
      }
      stale.forEach(function (k) { localStorage.removeItem(k); });
      if (left.length) {
        unfinishedNote.hidden = false;
        unfinishedNote.textContent = "Tệp tải dở lần trước: " + left.join(", ") + ". Chọn lại đúng tệp đó để tải tiếp từ chỗ đã dừng.";
      }
    })();
    """#

    /// The script with its messages in English (each whole string literal looked up).
    static let english: String = {
        var out = ""
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "\"") {
            out += rest[...open]
            let after = rest.index(after: open)
            guard let close = rest[after...].firstIndex(of: "\"") else { rest = rest[after...]; break }
            let literal = String(rest[after..<close])
            out += English.script[literal] ?? literal
            out += "\""
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }()
}
