"""Make the subset fonts of SPRInt: light web fonts for cheap phones, a CJK font for PDFs.

What it makes
-------------
In crates/web/assets/vendor/fonts/ (WOFF2, for the public pages; Latin and Cyrillic are
left to the phone's own fonts):

  noto-sans-ethiopic-400.woff2        Ethiopic blocks (Tigrinya)
  noto-sans-bengali-400.woff2         Bengali block, danda, ZWNJ/ZWJ, dotted circle
  noto-naskh-arabic-400.woff2         Arabic-script letters (Arabic, Persian, Dari, Pashto)
                                      (one weight each: pages synthesise bold)
  noto-nastaliq-urdu-400.woff2        the Arabic ranges Urdu uses, in Nastaliq (cut to the
                                      characters Urdu needs only if over 150 KB; it is not)
  autonym-{ethiopic,bengali,arabic,urdu,chinese}.woff2
                                      only the letters of the language menu's names
                                      (read from crates/domain/src/languages.rs)
  OFL.txt, VERSION                    licence; sources, ranges, sizes and sha256 of each file

Every web subset keeps all OpenType layout features (GSUB, GPOS, GDEF) so that Arabic
joining, Nastaliq and Bengali conjuncts shape as in the full font; hinting is dropped and the
name table keeps only the Windows English names 0-6 (copyright, family, style, full and
PostScript names).

In crates/print/assets/vendor/fonts/ (OTF with CFF outlines: typst embeds TTF/OTF, not WOFF2):

  NotoSansCJKsc-{Regular,Bold}-subset.otf
      the "Noto Sans CJK SC" face of NotoSansCJK-{Regular,Bold}.ttc, cut to GB2312 (both
      levels and the symbol rows), every CJK character of the locales, the demo data and the
      print tests, CJK symbols and punctuation, fullwidth forms and ASCII; the family name
      stays "Noto Sans CJK SC". All layout features are kept, for the default language
      systems and ZHS; the JAN, KOR, ZHT and ZHH systems (regional glyph forms that would
      nearly double the size) are dropped. The script adds their lines to that folder's VERSION (the
      lines it wrote before are replaced, the others kept).

From what
---------
The web fonts are cut from the full Noto TTFs vendored in crates/print/assets/vendor/fonts/
(Debian package fonts-noto-core 20201225-1, see the VERSION file there). The CJK fonts are
cut from Debian package fonts-noto-cjk (made with 1:20220127+repack1-1 of bookworm), whose
.deb is not kept in the repository: fetch it with `apt-get download fonts-noto-cjk`.

How to run it
-------------
Needs Python 3 with fontTools and brotli (`pip install fonttools brotli`). From anywhere:

  python3 crates/web/assets/vendor/fonts/make-subsets.py                 # web fonts only
  python3 crates/web/assets/vendor/fonts/make-subsets.py --cjk FILE_OR_DIR
        # web fonts and CJK fonts; FILE_OR_DIR is the fonts-noto-cjk .deb or a folder it was
        # extracted to (`dpkg -x`), searched for NotoSansCJK-{Regular,Bold}.ttc
  ... --cjk FILE_OR_DIR --cjk-only            # CJK fonts only
  ... --cjk FILE_OR_DIR --gb2312-level1       # CJK fonts with only GB2312 level-1 hanzi
  ... --cjk FILE_OR_DIR --all-languages       # keep the Japanese/Korean/Traditional forms

The output is byte-for-byte the same for the same inputs and the same fontTools and brotli
versions (the versions used are written in VERSION); the font timestamps are the sources'.
It ends with a check of every file (glyph count, size, cmap coverage of the autonyms and of
the locale characters) and exits non-zero if a needed character has no glyph.
"""

import argparse
import gzip
import hashlib
import io
import re
import shutil
import sys
import tarfile
import tempfile
from pathlib import Path

import brotli
import fontTools
from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

HERE = Path(__file__).resolve().parent  # crates/web/assets/vendor/fonts
ROOT = HERE.parents[4]  # the repository
PRINT_FONTS = ROOT / "crates/print/assets/vendor/fonts"
WEB_FONTS = HERE

CORE_SOURCE = "Debian package fonts-noto-core 20201225-1 (bookworm)"


def r(a, b):
    """The code points a..b, both included."""
    return set(range(a, b + 1))


def chars(s):
    return {ord(c) for c in s}


# ---------------------------------------------------------------------------------------
# Web subsets
# ---------------------------------------------------------------------------------------

SPACE = {0x20, 0xA0}

ETHIOPIC = (
    # The Ethiopic block, with its punctuation and digits: every syllable Tigrinya (and
    # Amharic) writes. The Supplement and Extended blocks serve other languages (Sebatbeit,
    # Me'en, Gamo-Gofa-Dawro…) and would add a sixth to the file; their characters fall back
    # to the phone's fonts.
    r(0x1200, 0x137F)
)
ETHIOPIC_DESC = "U+0020, U+00A0, U+1200-137F"

BENGALI = r(0x0980, 0x09FF) | r(0x200C, 0x200D) | {0x25CC} | r(0x0964, 0x0965)
BENGALI_DESC = "U+0020, U+00A0, U+0964-0965, U+0980-09FF, U+200C-200D, U+25CC"

ARABIC = (
    r(0x0600, 0x06FF)
    | r(0x0750, 0x077F)
    | r(0x08A0, 0x08FF)
    | r(0xFB50, 0xFDFF)
    | r(0xFE70, 0xFEFF)
    | r(0x200C, 0x200F)
)
ARABIC_DESC = (
    "U+0020, U+00A0, U+0600-06FF, U+0750-077F, U+08A0-08FF, U+200C-200F, "
    "U+FB50-FDFF, U+FE70-FEFF"
)

URDU_ALL = (
    r(0x0600, 0x06FF) | r(0x0750, 0x077F) | r(0xFB50, 0xFDFF) | r(0xFE70, 0xFEFF)
    | r(0x200C, 0x200F)
)
URDU_ALL_DESC = (
    "U+0020, U+00A0, U+0600-06FF, U+0750-077F, U+200C-200F, U+FB50-FDFF, U+FE70-FEFF"
)

# What Urdu text actually uses: its alphabet (with the Arabic letters an Arabic keyboard
# types in its place: ك ه ي ى ة and the hamza forms), its vowel marks, the honorific signs,
# the number signs, Urdu (Extended Arabic-Indic) digits, Arabic punctuation, the joiners and
# direction marks, and the ligatures ﷲ ﷺ.
URDU_TEXT = (
    r(0x0600, 0x0605)  # number sign, sanah, footnote marker, safha, samvat, number mark above
    | {0x060C, 0x060D}  # comma, date separator
    | r(0x0610, 0x0615)  # honorific signs (ؐ ؑ ؒ ؓ ؔ ؕ)
    | {0x061B, 0x061F}  # semicolon, question mark
    | r(0x0621, 0x063A)  # hamza .. ghain (with آ أ ؤ إ ئ ة)
    | r(0x0640, 0x064A)  # tatweel, ف ق ك ل م ن ه و ى ي
    | r(0x064B, 0x0658)  # harakat, hamza above/below, noon ghunna mark
    | {0x0670}  # superscript alef
    | r(0x066A, 0x066D)  # percent, decimal and thousands separators, five-pointed star
    | {0x0679, 0x067E, 0x0686, 0x0688, 0x0691, 0x0698}  # ٹ پ چ ڈ ڑ ژ
    | {0x06A9, 0x06AF, 0x06BA, 0x06BE}  # ک گ ں ھ
    | {0x06C0, 0x06C1, 0x06C2, 0x06C3, 0x06CC, 0x06D2, 0x06D3, 0x06D4}  # ۀ ہ ۂ ۃ ی ے ۓ ۔
    | r(0x06F0, 0x06F9)  # Urdu digits
    | r(0x200C, 0x200F)
    | {0xFDF2, 0xFDFA}  # ﷲ ﷺ
)
URDU_TEXT_DESC = (
    "U+0020, U+00A0, U+0600-0605, U+060C-060D, U+0610-0615, U+061B, U+061F, U+0621-063A, "
    "U+0640-0658, U+066A-066D, U+0670, U+0679, U+067E, U+0686, U+0688, U+0691, U+0698, "
    "U+06A9, U+06AF, U+06BA, U+06BE, U+06C0-06C3, U+06CC, U+06D2-06D4, U+06F0-06F9, "
    "U+200C-200F, U+FDF2, U+FDFA, and every character of crates/web/locales-public/ur/ in "
    "U+0600-06FF"
)

# The Nastaliq file covering all of URDU_ALL is used when it is at most this big;
# otherwise the one restricted to URDU_TEXT.
NASTALIQ_LIMIT = 150 * 1024

# (output, source, code points, description)
WEB = [
    ("noto-sans-ethiopic-400.woff2", "NotoSansEthiopic-Regular.ttf", ETHIOPIC, ETHIOPIC_DESC),
    ("noto-sans-bengali-400.woff2", "NotoSansBengali-Regular.ttf", BENGALI, BENGALI_DESC),
    ("noto-naskh-arabic-400.woff2", "NotoNaskhArabic-Regular.ttf", ARABIC, ARABIC_DESC),
]

# Autonym files: (output, source, language codes of crates/domain/src/languages.rs)
AUTONYMS = [
    ("autonym-ethiopic.woff2", "NotoSansEthiopic-Regular.ttf", ["ti"]),
    ("autonym-bengali.woff2", "NotoSansBengali-Regular.ttf", ["bn"]),
    ("autonym-arabic.woff2", "NotoNaskhArabic-Regular.ttf", ["ar", "fa", "ps", "prs"]),
    ("autonym-urdu.woff2", "NotoNastaliqUrdu-Regular.ttf", ["ur"]),
    # From the CJK subset this script makes for the PDFs (run with --cjk first on a new
    # checkout only if that file is missing).
    ("autonym-chinese.woff2", "NotoSansCJKsc-Regular-subset.otf", ["zh"]),
]


# fontTools packs GSUB/GPOS with HarfBuzz's repacker when the uharfbuzz module happens to be
# installed, which gives other bytes (and a Nastaliq file 8 KB bigger): always use fontTools'
# own packer, so the output does not depend on what else is installed.
NO_HB_REPACKER = {"fontTools.ttLib.tables.otBase:USE_HARFBUZZ_REPACKER": False}


def load(path, number=None):
    # recalcTimestamp=False: head.modified stays the source's, so the output is reproducible.
    if number is None:
        return TTFont(path, recalcTimestamp=False, cfg=NO_HB_REPACKER)
    return TTFont(path, fontNumber=number, recalcTimestamp=False, cfg=NO_HB_REPACKER)


def web_options():
    o = subset.Options()
    o.flavor = "woff2"
    o.layout_features = ["*"]  # every feature: joining, Nastaliq, conjuncts, marks, locl
    o.layout_scripts = ["*"]
    o.hinting = False
    o.name_IDs = [0, 1, 2, 3, 4, 5, 6]
    o.name_languages = [0x0409]
    o.name_legacy = False
    o.notdef_outline = True
    o.glyph_names = False
    return o


def cut(font, unicodes, options, out):
    s = subset.Subsetter(options=options)
    s.populate(unicodes=sorted(unicodes))
    s.subset(font)
    font.flavor = options.flavor
    font.save(out, reorderTables=True)
    return out


def make_web(src_name, unicodes, out):
    return cut(load(PRINT_FONTS / src_name), unicodes, web_options(), WEB_FONTS / out)


def read_autonyms():
    """{code: own name} from the LANGUAGES table of crates/domain/src/languages.rs."""
    text = (ROOT / "crates/domain/src/languages.rs").read_text(encoding="utf-8")
    table = text.split("pub const LANGUAGES", 1)[1].split("];", 1)[0]
    found = dict(re.findall(r'\(\s*"([a-z]+)"\s*,\s*"([^"]*)"\s*,\s*(?:true|false)\s*\)', table))
    if not found:
        sys.exit("no LANGUAGES table found in crates/domain/src/languages.rs")
    return found


# ---------------------------------------------------------------------------------------
# CJK subsets for the PDFs
# ---------------------------------------------------------------------------------------

CJK_FAMILY = "Noto Sans CJK SC"
CJK_OUT = [
    ("NotoSansCJKsc-Regular-subset.otf", "NotoSansCJK-Regular.ttc"),
    ("NotoSansCJKsc-Bold-subset.otf", "NotoSansCJK-Bold.ttc"),
]

# What counts as a CJK character when collecting them from the repository's texts.
CJK_RANGES = [
    (0x2E80, 0x2FDF),  # radicals
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0x3040, 0x30FF),  # kana
    (0x3100, 0x312F),  # bopomofo
    (0x31C0, 0x31EF),  # strokes
    (0x3200, 0x33FF),  # enclosed, compatibility
    (0x3400, 0x4DBF),  # extension A
    (0x4E00, 0x9FFF),  # unified ideographs
    (0xF900, 0xFAFF),  # compatibility ideographs
    (0xFE30, 0xFE4F),  # compatibility forms
    (0xFF00, 0xFFEF),  # halfwidth and fullwidth forms
    (0x20000, 0x3134F),  # extensions B-G
]

# Every character of these files (the Chinese public pages) ...
CJK_WHOLE_FILES = ["crates/web/locales-public/zh"]
# ... and the CJK characters of these (locales, demo data, the print tests' Chinese).
CJK_SCANNED = [
    "crates/web/locales-public",
    "crates/web/locales",
    "crates/store/demo",
    "crates/domain/src/languages.rs",
    "crates/print/tests",
]


def is_cjk(cp):
    return any(a <= cp <= b for a, b in CJK_RANGES)


def text_files(rel):
    p = ROOT / rel
    files = [p] if p.is_file() else sorted(f for f in p.rglob("*") if f.is_file())
    for f in files:
        try:
            yield f, f.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue


def repo_cjk_chars():
    """The characters the Chinese texts of the repository use (control characters aside)."""
    need = set()
    for rel in CJK_WHOLE_FILES:
        for _, text in text_files(rel):
            need |= {ord(c) for c in text if ord(c) >= 0x20 and c not in "\u2028\u2029"}
    for rel in CJK_SCANNED:
        for _, text in text_files(rel):
            need |= {ord(c) for c in text if is_cjk(ord(c))}
    return need


def gb2312(level1_only):
    """Every GB2312 character: rows 0xA1-0xA9 (symbols), 0xB0-0xD7 (level 1 hanzi) and,
    unless level1_only, 0xD8-0xF7 (level 2 hanzi)."""
    rows = list(range(0xA1, 0xAA)) + list(range(0xB0, 0xD8 if level1_only else 0xF8))
    out = set()
    for hi in rows:
        for lo in range(0xA1, 0xFF):
            try:
                s = bytes([hi, lo]).decode("gb2312")
            except UnicodeDecodeError:
                continue
            out |= {ord(c) for c in s}
    return out


def find_ttc(where, tmp):
    """The folder holding NotoSansCJK-*.ttc: `where` itself, or where the .deb unpacks."""
    where = Path(where)
    if where.is_file():
        where = extract_deb(where, Path(tmp))
    for f in sorted(where.rglob("NotoSansCJK-Regular.ttc")):
        return f.parent
    sys.exit(f"no NotoSansCJK-Regular.ttc under {where}")


def extract_deb(deb, dest):
    """Unpack the fonts of a .deb (an ar archive holding data.tar.*) without dpkg."""
    data = deb.read_bytes()
    if not data.startswith(b"!<arch>\n"):
        sys.exit(f"{deb} is not a .deb")
    pos = 8
    while pos < len(data):
        header = data[pos : pos + 60]
        name = header[:16].decode().strip().rstrip("/")
        size = int(header[48:58].decode().strip())
        body = data[pos + 60 : pos + 60 + size]
        pos += 60 + size + (size & 1)
        if name.startswith("data.tar"):
            if name.endswith(".zst"):
                sys.exit("data.tar.zst: extract the .deb with `dpkg -x` and pass the folder")
            with tarfile.open(fileobj=io.BytesIO(body), mode="r:*") as tar:
                members = [m for m in tar.getmembers() if m.name.endswith(".ttc")]
                tar.extractall(dest, members=members, filter="data")
            return dest
    sys.exit(f"no data.tar in {deb}")


def deb_version(where):
    """The package version, from the .deb's control file or the extracted changelog."""
    where = Path(where)
    if where.is_file():
        m = re.search(r"_([^_]+)_[^_]+\.deb$", where.name.replace("%3a", ":"))
        if m:
            return m.group(1)
    for f in where.rglob("changelog.Debian.gz") if where.is_dir() else []:
        first = gzip.open(f, "rt").readline()
        m = re.match(r"\S+ \(([^)]+)\)", first)
        if m:
            return m.group(1)
    return "unknown"


def cjk_face(ttc):
    """Index and font of the Simplified Chinese face of a collection."""
    coll = TTCollection(ttc, lazy=True)
    for i, f in enumerate(coll.fonts):
        if f["name"].getDebugName(1) == CJK_FAMILY:
            return i
    sys.exit(f"no {CJK_FAMILY} face in {ttc}")


# The SC face also carries, as OpenType language systems, the Japanese, Korean and
# Traditional Chinese (Taiwan, Hong Kong) forms of the ideographs: its 'locl' feature for
# JAN, KOR, ZHT and ZHH swaps in ~5800 regional glyphs, which would almost double the
# subset. The documents are in Simplified Chinese: only the default language systems and
# ZHS are kept (every feature stays; the regional forms go). --all-languages keeps them all.
CJK_LANGSYS = {"ZHS "}


def keep_langsys(font, keep):
    for tag in ("GSUB", "GPOS"):
        if tag not in font:
            continue
        for sr in font[tag].table.ScriptList.ScriptRecord:
            sc = sr.Script
            sc.LangSysRecord = [l for l in sc.LangSysRecord if l.LangSysTag in keep]
            sc.LangSysCount = len(sc.LangSysRecord)


def cjk_options():
    o = subset.Options()
    o.layout_features = ["*"]
    o.layout_scripts = ["*"]
    o.hinting = True  # CFF stem hints help PDF viewers on screen
    o.desubroutinize = False
    o.name_IDs = [0, 1, 2, 3, 4, 5, 6, 7, 13, 14, 16, 17]
    o.name_languages = [0x0409]
    o.name_legacy = False
    o.notdef_outline = True
    o.glyph_names = False
    return o


# ---------------------------------------------------------------------------------------
# Records and checks
# ---------------------------------------------------------------------------------------


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def fmt_ranges(cps):
    cps = sorted(cps)
    out, start, prev = [], None, None
    for c in cps + [None]:
        if start is not None and (c is None or c != prev + 1):
            out.append(f"U+{start:04X}" if start == prev else f"U+{start:04X}-{prev:04X}")
            start = None
        if c is not None and start is None:
            start = c
        prev = c
    return ", ".join(out)


def check(path, need, label):
    """Glyph count, size and the code points of `need` the font's cmap lacks."""
    f = TTFont(path)
    cmap = f.getBestCmap()
    missing = sorted(c for c in need if c not in cmap)
    size = Path(path).stat().st_size
    print(f"  {Path(path).name:38} {f['maxp'].numGlyphs:6} glyphs {size:9} bytes"
          + (f"  MISSING for {label}: {fmt_ranges(missing)}" if missing else f"  {label}: all in cmap"))
    return missing


def source_names(path, number=None):
    f = TTFont(path, fontNumber=number, lazy=True) if number is not None else TTFont(path, lazy=True)
    n = f["name"]
    return n.getName(4, 3, 1, 0x409).toUnicode(), n.getName(6, 3, 1, 0x409).toUnicode()


def tool_versions():
    return f"fontTools {fontTools.version}, brotli {getattr(brotli, '__version__', '?')}"


# ---------------------------------------------------------------------------------------


def run_web():
    print("Web subsets (from crates/print/assets/vendor/fonts/):")
    records = []  # (output, source, text or ranges)
    for out, src, cps, desc in WEB:
        make_web(src, cps | SPACE, out)
        records.append((out, src, desc))

    # Nastaliq: all of the Arabic ranges Urdu may use, or only what Urdu needs if too big.
    ur_locale = set()
    for _, text in text_files("crates/web/locales-public/ur"):
        ur_locale |= {ord(c) for c in text if 0x0600 <= ord(c) <= 0x06FF}
    tmp_full = WEB_FONTS / "noto-nastaliq-urdu-400.woff2"
    make_web("NotoNastaliqUrdu-Regular.ttf", URDU_ALL | SPACE, tmp_full.name)
    full_size = tmp_full.stat().st_size
    print(f"  Nastaliq with all Arabic ranges Urdu uses: {full_size} bytes")
    nastaliq_need = ur_locale
    if full_size > NASTALIQ_LIMIT:
        make_web("NotoNastaliqUrdu-Regular.ttf", URDU_TEXT | ur_locale | SPACE, tmp_full.name)
        print(f"  over {NASTALIQ_LIMIT} bytes: restricted to the characters Urdu needs: "
              f"{tmp_full.stat().st_size} bytes")
        records.append((tmp_full.name, "NotoNastaliqUrdu-Regular.ttf",
                        URDU_TEXT_DESC + f" (the file with all of {URDU_ALL_DESC} "
                        f"was {full_size} bytes)"))
    else:
        records.append((tmp_full.name, "NotoNastaliqUrdu-Regular.ttf", URDU_ALL_DESC))

    autonyms = read_autonyms()
    autonym_need = {}
    for out, src, codes in AUTONYMS:
        names = [autonyms[c] for c in codes]
        text = " ".join(names) + " "
        make_web(src, chars(text), out)
        autonym_need[out] = chars(text)
        records.append((out, src, "text: " + " ".join(f"{c} {autonyms[c]}" for c in codes)
                        + " (" + fmt_ranges(chars(text)) + ")"))

    shutil.copyfile(PRINT_FONTS / "OFL.txt", WEB_FONTS / "OFL.txt")

    lines = [
        "Subsets of Noto fonts for the public web pages, made by make-subsets.py (in this folder).",
        "Source: the full TTFs in crates/print/assets/vendor/fonts/, from",
        f"{CORE_SOURCE} (their sha256 are in that folder's VERSION).",
        "Licence: SIL Open Font License 1.1, see OFL.txt.",
        f"Made with {tool_versions()}: WOFF2, all layout features (GSUB, GPOS, GDEF),",
        "no hinting, name IDs 0-6 (Windows, English) only.",
        "",
    ]
    for out, src, desc in records:
        p = WEB_FONTS / out
        lines += [
            f"{out}",
            f"  from {src}",
            f"  {desc}",
            f"  sha256 {sha256(p)}  {p.stat().st_size} bytes",
        ]
    (WEB_FONTS / "VERSION").write_text("\n".join(lines) + "\n", encoding="utf-8")

    print("\nlocal() names of the sources (name ID 4 full name, ID 6 PostScript name):")
    for out, src, _ in records:
        full, ps = source_names(PRINT_FONTS / src)
        print(f"  {out:32} local('{full}'), local('{ps}')")

    print("\nCheck:")
    bad = []
    for out, src, cps, _ in WEB:
        in_source = cps & set(TTFont(PRINT_FONTS / src).getBestCmap())
        bad += check(WEB_FONTS / out, in_source, f"the {len(in_source)} code points of its ranges in the source")
    bad += check(WEB_FONTS / "noto-nastaliq-urdu-400.woff2", nastaliq_need,
                 f"the {len(nastaliq_need)} Arabic-script characters of the ur locale")
    for out, _, codes in AUTONYMS:
        bad += check(WEB_FONTS / out, autonym_need[out], "autonym " + "+".join(codes))
    return not bad


def run_cjk(where, level1_only, all_languages):
    print("\nCJK subsets for the PDFs:")
    locale = repo_cjk_chars()
    need = (
        gb2312(level1_only) | locale | r(0x3000, 0x303F) | r(0xFF00, 0xFFEF) | r(0x20, 0x7E)
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = find_ttc(where, tmp)
        version = deb_version(where)
        made = []
        for out, ttc in CJK_OUT:
            idx = cjk_face(folder / ttc)
            full, ps = source_names(folder / ttc, idx)
            src_sha = sha256(folder / ttc)
            font = load(folder / ttc, idx)
            copyright_ = font["name"].getDebugName(0).rstrip(".")
            have = set(font.getBestCmap())
            if not all_languages:
                keep_langsys(font, CJK_LANGSYS)
            cut(font, need & have, cjk_options(), PRINT_FONTS / out)
            made.append((out, ttc, idx, full, ps, src_sha))
    lacking = sorted(need - have)
    if lacking:
        print(f"  not in the source font (left out): {fmt_ranges(lacking)}")

    # The lines this script wrote before are replaced; every other line of VERSION is kept.
    version_file = PRINT_FONTS / "VERSION"
    start, end = "# BEGIN CJK subsets (make-subsets.py)", "# END CJK subsets"
    old = version_file.read_text(encoding="utf-8")
    old = re.sub(re.escape(start) + r".*?" + re.escape(end) + r"\n?", "", old, flags=re.S)
    hanzi = "GB2312 level 1 hanzi (rows 0xB0-0xD7)" if level1_only else \
        "GB2312 level 1 and level 2 hanzi (rows 0xB0-0xF7)"
    block = [
        start,
        f"Source: Debian package fonts-noto-cjk {version}, files "
        + " and ".join(t for _, t in CJK_OUT) + ",",
        f"  face \"{CJK_FAMILY}\" (font number "
        + " and ".join(sorted({str(i) for _, _, i, _, _, _ in made})) + " of each collection).",
        f"Copyright: {copyright_} (name ID 0). Licence: SIL Open Font License 1.1, see OFL.txt.",
        "Subset by crates/web/assets/vendor/fonts/make-subsets.py "
        f"({tool_versions()}): OTF (CFF), all layout features, family name kept;",
        "  language systems: all" if all_languages else
        "  language systems: the defaults and ZHS (the JAN, KOR, ZHT, ZHH 'locl' forms dropped);",
        f"  characters: GB2312 symbol rows 0xA1-0xA9, {hanzi},",
        "  every character of crates/web/locales-public/zh/, the CJK characters of",
        "  crates/web/locales*/, crates/store/demo/, crates/domain/src/languages.rs and",
        "  crates/print/tests/, U+3000-303F, U+FF00-FFEF, U+0020-007E.",
    ]
    if Path(where).is_file():
        block.append(f"sha256 {sha256(where)}  (source) the fonts-noto-cjk .deb")
    for out, ttc, idx, full, ps, src_sha in made:
        block.append(f"sha256 {src_sha}  (source) {ttc}")
    for out, *_ in made:
        block.append(f"sha256 {sha256(PRINT_FONTS / out)}  {out}")
    for out, *_ in made:
        block.append(f"bytes {(PRINT_FONTS / out).stat().st_size}  {out}")
    block.append(end)
    version_file.write_text(old.rstrip("\n") + "\n\n" + "\n".join(block) + "\n", encoding="utf-8")

    print("  names of the source faces (ID 4, ID 6): "
          + "; ".join(f"'{full}', '{ps}'" for _, _, _, full, ps, _ in made))
    print("Check:")
    bad = []
    total = 0
    for out, *_ in made:
        bad += check(PRINT_FONTS / out, locale, f"{len(locale)} locale/demo characters")
        f = TTFont(PRINT_FONTS / out)
        fam = f["name"].getDebugName(1)
        print(f"    family {fam!r}, {len(f.getBestCmap())} code points, "
              f"outlines {'CFF' if 'CFF ' in f else 'TrueType'}")
        if fam != CJK_FAMILY:
            bad.append(fam)
        total += (PRINT_FONTS / out).stat().st_size
    print(f"  together {total} bytes")
    return not bad


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cjk", metavar="DEB_OR_DIR",
                    help="fonts-noto-cjk .deb, or the folder it was extracted to")
    ap.add_argument("--cjk-only", action="store_true", help="skip the web fonts")
    ap.add_argument("--gb2312-level1", action="store_true",
                    help="CJK: only the 3755 level-1 hanzi of GB2312 (and the locales')")
    ap.add_argument("--all-languages", action="store_true",
                    help="CJK: keep the JAN, KOR, ZHT and ZHH language systems (about +75%%)")
    a = ap.parse_args()
    ok = True
    if not a.cjk_only:
        ok &= run_web()
    if a.cjk:
        ok &= run_cjk(a.cjk, a.gb2312_level1, a.all_languages)
    elif a.cjk_only:
        ap.error("--cjk-only needs --cjk")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
