// Builds the cl100k reference fixture from local Debian text. Run: node gen.js > cl100k-reference.json
const { getEncoding } = require('js-tiktoken');
const { execSync } = require('child_process');
const fs = require('fs');
const enc = getEncoding('cl100k_base');

function manText(path) {
  // groff renders the troff source to plain UTF-8; -c/-b/-u drop overstrike, bold and underline escapes.
  return execSync(`zcat ${path} | preconv 2>/dev/null | groff -Tutf8 -man -P-c -P-b -P-u 2>/dev/null`, { encoding: 'utf8', maxBuffer: 64 << 20, env: { ...process.env, MANWIDTH: '100' } });
}
function paragraphs(text) {
  return text.split(/\n\s*\n/).map(p => p.split('\n').map(l => l.trim()).join(' ').replace(/- (\p{Ll})/gu, '-$1').replace(/\s+/g, ' ').trim());
}
// Picks consecutive paragraphs from the middle of a document until about `target` chars.
function excerpt(paras, target, minPara = 60) {
  const good = paras.filter(p => p.length >= minPara && !/^[A-Z][A-Z ]+$/.test(p));
  if (good.length === 0) return null;
  let out = []; let len = 0;
  for (let i = Math.floor(good.length / 3); i < good.length && len < target; i++) { out.push(good[i]); len += good[i].length; }
  return out.join('\n\n');
}
const samples = [];
function add(language, source, text) {
  if (!text || text.length < 80) return;
  samples.push({ language, source, count: enc.encode(text).length, text });
}
const targets = [400, 900, 1600, 2400];
let t = 0;
// English: licenses, copyright files, man pages (sections 1 and 7).
for (const f of ['GPL-3', 'Apache-2.0', 'Artistic', 'GFDL-1.3', 'MPL-2.0', 'LGPL-2.1', 'CC0-1.0', 'BSD']) {
  const p = `/usr/share/common-licenses/${f}`;
  if (fs.existsSync(p)) add('en', p, excerpt(paragraphs(fs.readFileSync(p, 'utf8')), targets[t++ % 4]));
}
for (const pkg of ['bash', 'coreutils', 'git', 'curl', 'openssl', 'tar', 'python3', 'perl']) {
  const p = `/usr/share/doc/${pkg}/copyright`;
  if (fs.existsSync(p)) add('en', p, excerpt(paragraphs(fs.readFileSync(p, 'utf8')), targets[t++ % 4], 120));
}
for (const m of ['man1/bash.1.gz', 'man1/git.1.gz', 'man1/tar.1.gz', 'man1/grep.1.gz', 'man1/ssh.1.gz', 'man1/curl.1.gz', 'man1/find.1.gz',
  'man1/less.1.gz', 'man1/make.1.gz', 'man1/sed.1.gz', 'man1/gzip.1.gz', 'man1/dpkg.1.gz', 'man1/perl.1.gz', 'man1/python3.1.gz',
  'man7/capabilities.7.gz', 'man7/cgroups.7.gz', 'man7/boot.7.gz', 'man7/charsets.7.gz', 'man7/aio.7.gz', 'man7/attributes.7.gz',
  'man7/signal.7.gz', 'man7/pipe.7.gz', 'man7/arp.7.gz', 'man7/bootparam.7.gz', 'man7/apt-patterns.7.gz', 'man7/cmake-language.7.gz', 'man7/cmake-buildsystem.7.gz']) {
  const p = `/usr/share/man/${m}`;
  if (fs.existsSync(p)) add('en', p + ' (groff -Tutf8)', excerpt(paragraphs(manText(p)), targets[t++ % 4], 120));
}
// Other languages: translated man pages shipped by Debian.
for (const [lang, dir, pages] of [['id', 'id', ['man.1.gz', 'apropos.1.gz', 'login.1.gz']], ['zh', 'zh_CN', ['apropos.1.gz', 'chage.1.gz', 'chfn.1.gz', 'man.1.gz', 'passwd.1.gz']], ['ja', 'ja', ['man.1.gz', 'passwd.1.gz', 'vim.1.gz']], ['ko', 'ko', ['fuser.1.gz', 'chsh.1.gz']]]) {
  const d = `/usr/share/man/${dir}/man1`;
  if (!fs.existsSync(d)) continue;
  const list = pages ?? fs.readdirSync(d).filter(f => f.endsWith('.gz')).slice(0, 3);
  for (const f of list) {
    const p = `${d}/${f}`;
    if (!fs.existsSync(p)) continue;
    // Keep only paragraphs mostly in the page's language (untranslated English passages are left out).
    const paras = paragraphs(manText(p)).filter(x => lang === 'id' || (x.match(/[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]/g) || []).length > x.length * 0.3);
    add(lang, p + ' (groff -Tutf8)', excerpt(paras, 700, 20));
  }
}
// Code.
for (const [p, start, len] of [['/usr/include/stdio.h', 2000, 1500], ['/usr/lib/python3.11/json/decoder.py', 1500, 1500], ['/usr/share/perl5/Debian/DebConf/Config.pm', 1000, 1200], ['/usr/include/errno.h', 0, 1200]]) {
  if (fs.existsSync(p)) add('code', `${p} chars ${start}..${start + len}`, fs.readFileSync(p, 'utf8').slice(start, start + len));
}
// Written for this fixture: URLs, numbers, emoji, mixed.
add('mixed', 'written for this fixture', 'See https://learn.microsoft.com/en-us/azure/app-service/configure-authentication-user-identities?tabs=dotnet#access-user-claims and http://localhost:7071/api/search?q=retry%20after&top=5 for details; the mirror is at ftp://ftp.debian.org/debian/pool/main/.');
add('mixed', 'written for this fixture', 'Invoice 2024-11-03: 17 items x 3.99 EUR = 67.83 EUR; VAT 21% = 14.24; total 82.07. Order #000123456789, phone +62 812 3456 7890, IP 192.168.100.254, version 10.0.14.');
add('mixed', 'written for this fixture', 'Launch went well 🚀🎉 — the team 👩‍💻👨🏽‍💻 shipped it; rating ⭐⭐⭐⭐☆, next: café crème, naïve façade, Zürich, São Paulo, Đà Nẵng.');
console.log(JSON.stringify({
  encoding: 'cl100k_base',
  generatedBy: 'node gen.js using js-tiktoken ' + JSON.parse(fs.readFileSync('node_modules/js-tiktoken/package.json','utf8')).version + ' getEncoding("cl100k_base"); text excerpts from Debian files named in `source` (man pages rendered with groff -Tutf8 -man, paragraphs re-joined); regenerate outside the repo, never in tests/CI',
  samples
}, null, 1));
