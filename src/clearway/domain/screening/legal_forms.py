"""Company-type words, which name screening sets aside: the short forms (``LEGAL_FORMS``) and
the same forms spelt out in the major trading languages (``LEGAL_FORM_SPELLINGS``), each
mapped to its usual short form so that ``Sociedad Anonima``, ``S.A.`` and ``SA`` read alike.

The local names and their abbreviations follow the ISO 20275 Entity Legal Forms (ELF) code
list kept by GLEIF (version of 2023-09-28: e.g. ES "Sociedad Anonima" S.A., DE
"Gesellschaft mit beschränkter Haftung" GmbH, IT "Società Per Azioni" SPA, TR "anonim
şirket" A.Ş., NL "naamloze vennootschap" NV, IN "Private Limited Company" Pvt Ltd, MY
"Sendirian Berhad" Sdn Bhd, KR 주식회사 JuSikHoeSa, JP 株式会社 kabusikigaisya). Spellings are
given as normalisation leaves them: lower case, accents removed, dots and apostrophes joined,
other punctuation a space; forms in Cyrillic, Arabic, Chinese, Japanese and Korean script
appear both in their usual romanisation (``obshchestvo s ogranichennoy otvetstvennostyu``,
``youxian gongsi``, ``kabushiki kaisha``, ``jusik hoesa``) and as the services' transliteration
writes the original script (the Russian form in Cyrillic → ``obshchestvo s ogranichennoy
otvetstvennostyu``; 有限公司 → ``you xian gong si``; 株式会社,
read by ``anyascii`` as Chinese, → ``zhu shi hui she``; 주식회사 → ``ju sig hoe sa``).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

LEGAL_FORMS = frozenset(
    [
        "llc",
        "llp",
        "lp",
        "ltd",
        "limited",
        "inc",
        "incorporated",
        "corp",
        "corporation",
        "co",
        "company",
        "cos",
        "plc",
        "pllc",
        "ulc",
        "gmbh",
        "mbh",
        "ag",
        "kg",
        "ohg",
        "ug",
        "ev",
        "kgaa",
        "sa",
        "sas",
        "sarl",
        "srl",
        "spa",
        "sl",
        "slu",
        "sau",
        "sal",
        "sae",
        "sac",
        "saa",
        "saic",
        "sab",
        "sad",
        "cv",
        "rl",
        "ltda",
        "lda",
        "eirl",
        "eireli",
        "cia",
        "cie",
        "bv",
        "nv",
        "vof",
        "oy",
        "oyj",
        "ab",
        "as",
        "asa",
        "aps",
        "hf",
        "ehf",
        "ooo",
        "zao",
        "oao",
        "pao",
        "ao",
        "tov",
        "pat",
        "prat",
        "pp",
        "chp",
        "ip",
        "uab",
        "jsc",
        "cjsc",
        "ojsc",
        "pjsc",
        "eood",
        "ood",
        "ead",
        "ad",
        "sro",
        "doo",
        "dd",
        "dooel",
        "zrt",
        "kft",
        "nyrt",
        "bt",
        "spzoo",
        "sti",
        "fze",
        "fzco",
        "fzc",
        "fzllc",
        "fzlle",
        "dmcc",
        "pte",
        "pty",
        "pvt",
        "bhd",
        "sdn",
        "kk",
        "tbk",
        "pt",
        "tnhh",
        "gbr",
        "sasu",
        "eurl",
        "snc",
        "srls",
        "sapa",
        "pcl",
        "prjsc",
        "gup",
        "fgup",
    ]
)
"""Single-word legal forms (after punctuation is removed, so ``S.A.`` is ``sa``): English,
German, Romance, Dutch, Nordic, Russian/Ukrainian/Baltic (OOO, ZAO, OAO, PAO, TOV, UAB),
Balkan and Central European (EOOD, d.o.o., s.r.o., Kft.), Turkish (Şti.), Gulf free-zone (FZE,
FZCO, DMCC) and Asian (Pte, Pvt, Sdn Bhd, K.K., PT, Tbk, TNHH) company types."""


def _spellings(groups: Mapping[str, tuple[str, ...]]) -> Mapping[str, str]:
    return MappingProxyType(
        {spelling: short for short, spellings in groups.items() for spelling in spellings}
    )


LEGAL_FORM_SPELLINGS: Mapping[str, str] = _spellings(
    {
        # English (GB, US, IN, CH, MY entries of the ELF list)
        "ltd": ("limited", "limited company"),
        "inc": ("incorporated",),
        "corp": ("corporation",),
        "co": (
            "company",
            # Arabic شركة, Persian شرکت: "company" before the name
            "sharikat",
            "sharika",
            "sherkat",
            "sherkate",
            "shirkat",
            "shrka",
            "gongsi",
            "gong si",
        ),
        "llc": (
            "limited liability company",
            "limited liability co",
            # Arabic شركة ذات مسؤولية محدودة, romanised and as transliterated
            "dhat masuliya mahduda",
            "dhat masuliyah mahdudah",
            "zat masuliya mahduda",
            "shrka dhat mswwlya mhdwda",
            "dhat mswwlya mhdwda",
            # Chinese 有限责任公司
            "youxian zeren gongsi",
            "you xian ze ren gong si",
            # Vietnamese Công ty trách nhiệm hữu hạn
            "cong ty trach nhiem huu han",
        ),
        "llp": ("limited liability partnership",),
        "lp": ("limited partnership",),
        "plc": ("public limited company", "company limited by shares"),
        "pvt ltd": ("private limited company", "private limited"),
        "pcl": ("public company limited",),
        "jsc": (
            "joint stock company",
            "joint stock co",
            "joint-stock company",
            # Vietnamese Công ty cổ phần
            "cong ty co phan",
        ),
        "cjsc": ("closed joint stock company",),
        "ojsc": ("open joint stock company",),
        "pjsc": ("public joint stock company",),
        "prjsc": ("private joint stock company",),
        "sole prop": ("sole proprietorship",),
        # Spanish (ES, MX, AR, CO)
        "sa": (
            "sociedad anonima",
            "sociedade anonima",
            "societe anonyme",
            "societa anonima",
            "spolka akcyjna",
        ),
        "sa de cv": ("sociedad anonima de capital variable", "sa de cv"),
        "sab de cv": ("sociedad anonima bursatil de capital variable", "sab de cv"),
        "sapi de cv": ("sapi de cv",),
        "sab": ("sociedad anonima bursatil",),
        "sac": ("sociedad anonima cerrada",),
        "saa": ("sociedad anonima abierta",),
        "sau": ("sociedad anonima unipersonal",),
        "sl": ("sociedad limitada",),
        "slu": ("sociedad limitada unipersonal",),
        "srl": (
            "sociedad de responsabilidad limitada",
            "societa a responsabilita limitata",
            "societate cu raspundere limitata",
        ),
        "s de rl de cv": (
            "sociedad de responsabilidad limitada de capital variable",
            "s de rl de cv",
        ),
        "s de rl": ("s de rl",),
        "sas": (
            "sociedad por acciones simplificada",
            "societe par actions simplifiee",
            "societa in accomandita semplice",
        ),
        "s en c": ("sociedad en comandita", "sociedad en comandita simple", "s en c"),
        "eirl": ("empresa individual de responsabilidad limitada",),
        "cia": ("compania",),
        # Portuguese (BR, PT)
        "ltda": ("sociedade limitada", "limitada"),
        "lda": ("sociedade por quotas", "sociedade unipessoal limitada"),
        "eireli": ("empresa individual de responsabilidade limitada",),
        # French (FR, CH, BE)
        "sarl": ("societe a responsabilite limitee",),
        "sasu": ("societe par actions simplifiee unipersonnelle",),
        "eurl": ("entreprise unipersonnelle a responsabilite limitee",),
        "snc": ("societe en nom collectif", "societa in nome collettivo"),
        "sca": ("societe en commandite par actions",),
        "cie": ("compagnie",),
        # German (DE, AT, CH)
        "gmbh": (
            "gesellschaft mit beschrankter haftung",
            "gesellschaft mit beschraenkter haftung",
            "gesmbh",
        ),
        "ag": ("aktiengesellschaft",),
        "kg": ("kommanditgesellschaft",),
        "kgaa": ("kommanditgesellschaft auf aktien",),
        "ohg": ("offene handelsgesellschaft",),
        "ug": ("unternehmergesellschaft", "unternehmergesellschaft haftungsbeschrankt"),
        "gbr": ("gesellschaft burgerlichen rechts",),
        "eg": ("eingetragene genossenschaft",),
        "ev": ("eingetragener verein",),
        # Italian (IT, CH)
        "spa": ("societa per azioni",),
        "srls": ("societa a responsabilita limitata semplificata",),
        "sapa": ("societa in accomandita per azioni",),
        # Dutch (NL, BE) and Indonesian CV
        "nv": ("naamloze vennootschap",),
        "bv": (
            "besloten vennootschap",
            "besloten vennootschap met beperkte aansprakelijkheid",
        ),
        "vof": ("vennootschap onder firma",),
        "cv": ("commanditaire vennootschap", "persekutuan komanditer"),
        # Russian and Ukrainian, romanised (BGN/PCGN, as the lists and anyascii write them)
        "ooo": (
            "obshchestvo s ogranichennoy otvetstvennostyu",
            "obshchestvo s ogranichennoi otvetstvennostiu",
            "obschestvo s ogranichennoy otvetstvennostyu",
            "obshestvo s ogranichennoy otvetstvennostyu",
        ),
        "ao": ("aktsionernoe obshchestvo", "aktsionernoye obshchestvo"),
        "zao": ("zakrytoe aktsionernoe obshchestvo", "zakrytoye aktsionernoye obshchestvo"),
        "oao": ("otkrytoe aktsionernoe obshchestvo", "otkrytoye aktsionernoye obshchestvo"),
        "pao": ("publichnoe aktsionernoe obshchestvo", "publichnoye aktsionernoye obshchestvo"),
        "nao": ("nepublichnoe aktsionernoe obshchestvo",),
        "gup": ("gosudarstvennoe unitarnoe predpriyatie",),
        "fgup": ("federalnoe gosudarstvennoe unitarnoe predpriyatie",),
        "tov": (
            "tovarystvo z obmezhenoyu vidpovidalnistyu",
            "tovaristvo z obmezhenoyu vidpovidalnistyu",
        ),
        "prat": ("pryvatne aktsionerne tovarystvo", "privatne aktsionerne tovaristvo"),
        "pat": ("publichne aktsionerne tovarystvo", "publichne aktsionerne tovaristvo"),
        # Polish, Czech, Hungarian, Bulgarian (Latin script in the lists)
        "sp z oo": ("spolka z ograniczona odpowiedzialnoscia", "sp z oo"),
        "sro": ("spolecnost s rucenim omezenym",),
        "kft": ("korlatolt felelossegu tarsasag",),
        "ood": ("druzhestvo s ogranichena otgovornost",),
        "eood": ("ednolichno druzhestvo s ogranichena otgovornost",),
        # Nordic
        "ab": ("aktiebolag", "aktiebolaget"),
        "as": (
            "aktieselskab",
            "aksjeselskap",
            # Turkish (TR: anonim şirket A.Ş.)
            "anonim sirket",
            "anonim sirketi",
        ),
        "asa": ("allmennaksjeselskap",),
        "aps": ("anpartsselskab",),
        "oy": ("osakeyhtio",),
        "oyj": ("julkinen osakeyhtio",),
        # Turkish (TR: limited şirket Ltd. Şti.)
        "ltd sti": ("limited sirket", "limited sirketi", "ltd sti"),
        "sti": ("sirketi",),
        # Chinese 有限公司 and 股份有限公司, pinyin and as transliterated character by character
        "co ltd": (
            "youxian gongsi",
            "you xian gong si",
            "gufen youxian gongsi",
            "gu fen you xian gong si",
            # Korean 주식회사 (ELF KR JuSikHoeSa)
            "jusik hoesa",
            "jusikhoesa",
            "chusik hoesa",
            "ju sig hoe sa",
        ),
        "yuhan hoesa": ("yuhan hoesa", "yu han hoe sa"),
        # Japanese 株式会社, 合同会社, 有限会社 (ELF JP kabusikigaisya, goudougaisya, yugengaisya)
        "kk": (
            "kabushiki kaisha",
            "kabushiki gaisha",
            "kabushikikaisha",
            "kabushikigaisha",
            "kabusikigaisya",
            "zhu shi hui she",
        ),
        "gk": ("godo kaisha", "godo gaisha", "goudougaisya", "he tong hui she"),
        "yk": ("yugen kaisha", "yugen gaisha", "yugengaisya", "you xian hui she"),
        # Indonesian and Malay (ID, MY)
        "pt": ("perseroan terbatas",),
        "pt tbk": ("perseroan terbatas terbuka",),
        "tbk": ("terbuka",),
        "sdn bhd": ("sendirian berhad",),
        "bhd": ("berhad",),
    }
)
"""Legal forms spelt out (one word or several), each with the short form it is written as.
Looked up before the single short forms; the longest spelling at a position wins."""
