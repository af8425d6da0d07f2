#!/usr/bin/env python3
"""Generates the screening evaluation set in tests/data/screen_eval/ (deterministic, stdlib only).

Writes watchlist.jsonl (entries, some in their own script) and travellers.jsonl (one traveller per
line with an "expect" list of the entry ids it truly is; [] for a different person). Every
traveller is built against one entry:
  positives: the entry's name as a passport would print it (ICAO 9303 transliteration for
    Cyrillic, ELOT 743 for Greek, a common Latin spelling for Arabic, Wade-Giles or pinyin for
    Chinese), a typo, given/surname swapped, a middle name missing or reduced to an initial,
    spacing (ABDUL RAHMAN / ABDULRAHMAN, VAN DER BERG / VANDERBERG), a year-only or
    day/month-swapped date on the list, a list date a year off;
  hard negatives: a namesake born years apart, a sibling (same surname, other given name, close
    DOB), a near-name (one token swapped for a similar real name, close DOB), a spouse
    (feminine surname form, close DOB), an unrelated traveller.
The variant rules come from how the scripts are transliterated, not from the matcher.

Labels must be decidable from the data. A negative differs from its entry in something no
positive variant changes: another name (not another spelling of the same name, see SAME_NAME),
or a birth year 2 or more away from a dated entry's (positives allow a year off by one). So:
  - no two entries carry the same name, and unrelated travellers and siblings never carry a
    listed name (distinct_person);
  - a namesake of an entry with no date of birth equals that entry in every recorded field:
    it is written with "expect": null and class "undecidable:namesake" (and "about": the
    entry id), and scripts/screen_eval.sh reports how often it is matched without scoring it.

Usage: scripts/make_screen_eval.py [--seed N] [--out DIR]
"""
import argparse
import json
import os
import random

# --- Cyrillic ------------------------------------------------------------------------------------
RU_GIVEN_M = ["Александр", "Сергей", "Дмитрий", "Алексей", "Андрей", "Юрий", "Евгений", "Михаил",
              "Николай", "Владимир", "Игорь", "Олег", "Вячеслав", "Артём", "Максим", "Фёдор",
              "Григорий", "Василий", "Илья", "Тимофей"]
RU_GIVEN_F = ["Юлия", "Наталья", "Екатерина", "Татьяна", "Ксения", "Анастасия", "Ольга", "Мария",
              "Евгения", "Людмила", "Яна", "Дарья", "Софья", "Ирина", "Светлана"]
RU_PATRON = ["Александрович", "Сергеевич", "Петрович", "Иванович", "Юрьевич", "Михайлович",
             "Николаевич", "Викторович"]
RU_SURNAMES = ["Щербаков", "Кузнецов", "Соколов", "Попов", "Лебедев", "Козлов", "Новиков",
               "Морозов", "Волков", "Соловьёв", "Васильев", "Зайцев", "Павлов", "Семёнов",
               "Голубев", "Виноградов", "Богданов", "Воробьёв", "Фёдоров", "Михайлов", "Беляев",
               "Тарасов", "Белов", "Комаров", "Орлов", "Киселёв", "Макаров", "Андреев", "Ковалёв",
               "Ильин", "Гусев", "Титов", "Кузьмин", "Кудрявцев", "Баранов", "Куликов", "Алексеев",
               "Степанов", "Яковлев", "Сорокин", "Сергеев", "Романов", "Захаров", "Борисов",
               "Королёв", "Герасимов", "Пономарёв", "Григорьев", "Лазарев", "Медведев", "Ершов",
               "Никитин", "Соболев", "Рябов", "Поляков", "Цветков", "Данилов", "Жуков", "Фролов",
               "Журавлёв", "Николаев", "Крылов", "Максимов", "Сидоров", "Осипов", "Белоусов",
               "Федотов", "Дорофеев", "Егоров", "Матвеев", "Бобров", "Дмитриев", "Калинин",
               "Анисимов", "Петухов", "Антонов", "Тимофеев", "Никифоров", "Веселов", "Филиппов",
               "Марков", "Большаков", "Суханов", "Миронов", "Ширяев", "Александров", "Коновалов",
               "Шестаков", "Казаков", "Ефимов", "Денисов", "Громов", "Фомин", "Давыдов",
               "Мельников", "Щукин", "Блинов", "Колесников", "Карпов", "Афанасьев", "Власов",
               "Маслов", "Исаков", "Тихонов", "Аксёнов", "Гаврилов", "Родионов", "Котов",
               "Горбунов", "Кудряшов", "Быков", "Зуев", "Третьяков", "Савельев", "Панов", "Рыбаков",
               "Суворов", "Абрамов", "Воронов", "Мухин", "Архипов", "Трофимов", "Мартынов",
               "Емельянов", "Горшков", "Чернов", "Овчинников", "Селезнёв", "Панфилов", "Копылов",
               "Михеев", "Галкин", "Назаров", "Лобанов", "Лукин", "Беляков", "Потапов", "Некрасов",
               "Хохлов", "Жданов", "Наумов", "Шилов", "Воронцов", "Ермаков", "Дроздов", "Игнатьев",
               "Савин", "Логинов", "Сафонов", "Капустин", "Кириллов", "Моисеев", "Елисеев",
               "Кошелев", "Костин", "Горбачёв", "Орехов", "Ефремов", "Исаев", "Евдокимов",
               "Калашников", "Кабанов", "Носков", "Юдин", "Кулагин", "Лапин", "Прохоров",
               "Нестеров", "Харитонов", "Агафонов", "Муравьёв", "Ларионов", "Федосеев", "Зимин",
               "Пахомов", "Шубин", "Игнатов", "Филатов", "Крюков", "Рогов", "Кулаков", "Терентьев",
               "Молчанов", "Владимиров", "Артемьев", "Гурьев", "Зиновьев", "Гришин", "Кононов",
               "Дементьев", "Ситников", "Симонов", "Мишин", "Фадеев", "Комиссаров", "Мамонтов",
               "Носов", "Гуляев", "Шаров", "Устинов", "Вишняков", "Евсеев", "Лаврентьев",
               "Брагин", "Константинов", "Корнилов", "Авдеев", "Зыков", "Бирюков", "Шарапов",
               "Никонов", "Щукин", "Дьячков", "Одинцов", "Сазонов", "Якушев", "Красильников",
               "Гордеев", "Самойлов", "Князев", "Беспалов", "Уваров", "Шашков", "Бобылёв",
               "Доронин", "Белозёров", "Рожков", "Самсонов", "Мясников", "Лихачёв", "Буров",
               "Сысоев", "Фомичёв", "Русаков", "Стрелков", "Гущин", "Тетерин", "Колобов",
               "Субботин", "Фокин", "Блохин", "Селиверстов", "Пестов", "Кондратьев", "Силин",
               "Меркушев", "Лыткин", "Туров"]

ICAO = {"А": "A", "Б": "B", "В": "V", "Г": "G", "Д": "D", "Е": "E", "Ё": "E", "Ж": "ZH", "З": "Z",
        "И": "I", "Й": "I", "К": "K", "Л": "L", "М": "M", "Н": "N", "О": "O", "П": "P", "Р": "R",
        "С": "S", "Т": "T", "У": "U", "Ф": "F", "Х": "KH", "Ц": "TS", "Ч": "CH", "Ш": "SH",
        "Щ": "SHCH", "Ъ": "IE", "Ы": "Y", "Ь": "", "Э": "E", "Ю": "IU", "Я": "IA"}
# Pre-2013 Russian passports / BGN-PCGN-like spellings.
OLD = dict(ICAO, **{"Й": "Y", "Ю": "YU", "Я": "YA", "Ъ": "", "Ё": "YO"})


def cyr_latin(word, table, rng=None):
    out = []
    for i, ch in enumerate(word.upper()):
        t = table[ch]
        if table is OLD and ch == "Е" and (i == 0 or word.upper()[i - 1] in "АЕЁИОУЫЭЮЯЬЪ"):
            t = "YE"
        out.append(t)
    s = "".join(out)
    if table is OLD and s.endswith("IY"):
        s = s[:-2] + "Y"
    return s


def feminine(surname):
    if surname.endswith(("ов", "ев", "ёв", "ин", "ын")):
        return surname + "а"
    return surname


# --- Greek ---------------------------------------------------------------------------------------
GR_GIVEN = ["Χρήστος", "Γιώργος", "Δημήτρης", "Νικόλαος", "Κωνσταντίνος", "Ιωάννης", "Παναγιώτης",
            "Βασίλειος", "Αθανάσιος", "Ευάγγελος", "Μαρία", "Ελένη", "Αικατερίνη", "Σοφία",
            "Θεοδώρα", "Φωτεινή", "Χρυσούλα", "Ευθύμιος"]
GR_SURNAMES = ["Παπαδόπουλος", "Οικονόμου", "Γεωργίου", "Βλάχος", "Αγγελόπουλος", "Νικολάου",
               "Χατζηδάκης", "Θεοχάρης", "Ζαχαρίου", "Ψαρράς", "Κυριακίδης", "Σταυρόπουλος",
               "Μαυρίδης", "Ευαγγέλου", "Δημητρίου", "Αθανασίου", "Φωτόπουλος", "Τσακίρης",
               "Μπακογιάννης", "Χριστοδούλου", "Καραγιάννης", "Ξανθόπουλος", "Λαμπράκης",
               "Πετρόπουλος", "Σπυρόπουλος", "Ραφαηλίδης", "Ντόκας", "Γκίκας"]
ELOT = {"Α": "A", "Β": "V", "Γ": "G", "Δ": "D", "Ε": "E", "Ζ": "Z", "Η": "I", "Θ": "TH", "Ι": "I",
        "Κ": "K", "Λ": "L", "Μ": "M", "Ν": "N", "Ξ": "X", "Ο": "O", "Π": "P", "Ρ": "R", "Σ": "S",
        "Σ": "S", "Τ": "T", "Υ": "Y", "Φ": "F", "Χ": "CH", "Ψ": "PS", "Ω": "O"}
GR_ACCENTS = str.maketrans("ΆΈΉΊΌΎΏΪΫ", "ΑΕΗΙΟΥΩΙΥ")


def elot(word):
    w = word.upper().translate(GR_ACCENTS)
    out, i = [], 0
    while i < len(w):
        two = w[i:i + 2]
        if two == "ΟΥ":
            out.append("OU"); i += 2; continue
        if two in ("ΑΥ", "ΕΥ"):
            nxt = w[i + 2:i + 3]
            voiced = nxt and nxt in "ΑΕΗΙΟΥΩΒΓΔΖΛΜΝΡ"
            out.append(("A" if two[0] == "Α" else "E") + ("V" if voiced else "F")); i += 2; continue
        if two == "ΜΠ" and i == 0:
            out.append("B"); i += 2; continue
        if two == "ΝΤ" and i == 0:
            out.append("D"); i += 2; continue
        if two == "ΓΚ" and i == 0:
            out.append("G"); i += 2; continue
        if two in ("ΓΓ", "ΓΚ", "ΓΧ", "ΓΞ"):
            out.append("N" + ELOT[two[1]] if two != "ΓΓ" else "NG"); i += 2; continue
        out.append(ELOT[w[i]]); i += 1
    return "".join(out)


# --- Arabic: script and common Latin spellings -------------------------------------------------
AR_GIVEN = [("محمد", ["MOHAMMED", "MUHAMMAD", "MOHAMED", "MOHAMMAD", "MEHMET"]),
            ("أحمد", ["AHMED", "AHMAD"]), ("يوسف", ["YOUSSEF", "YUSUF", "YOUSEF", "YOUSIF"]),
            ("حسين", ["HUSSEIN", "HUSSAIN", "HUSEIN", "HOSSEIN"]),
            ("عمر", ["OMAR", "UMAR"]), ("خالد", ["KHALID", "KHALED"]),
            ("إبراهيم", ["IBRAHIM", "EBRAHIM", "IBRAHEEM"]), ("مصطفى", ["MUSTAFA", "MOSTAFA"]),
            ("سعيد", ["SAID", "SAEED", "SAYED"]), ("عبد الله", ["ABDULLAH", "ABDALLAH", "ABDULLA"]),
            ("عبد الرحمن", ["ABDUL RAHMAN", "ABDULRAHMAN", "ABDELRAHMAN", "ABD AL RAHMAN"]),
            ("عبد العزيز", ["ABDUL AZIZ", "ABDULAZIZ", "ABDELAZIZ"]),
            ("جمال", ["JAMAL", "GAMAL", "DJAMAL"]), ("طارق", ["TARIQ", "TAREK", "TARIK"]),
            ("فيصل", ["FAISAL", "FAYSAL", "FEISAL"]), ("حمزة", ["HAMZA", "HAMZAH"]),
            ("بلال", ["BILAL", "BELAL"]), ("علي", ["ALI"]), ("حسن", ["HASSAN", "HASAN"]),
            ("كريم", ["KARIM", "KAREEM"]), ("وليد", ["WALID", "WALEED"]),
            ("ياسين", ["YASSIN", "YASIN", "YACINE"]), ("فاطمة", ["FATIMA", "FATMA", "FATIMAH"]),
            ("عائشة", ["AISHA", "AICHA", "AYSHA"]), ("مريم", ["MARYAM", "MARIAM", "MERIEM"]),
            ("زينب", ["ZAINAB", "ZEINAB", "ZAYNAB"]), ("نور", ["NOUR", "NUR", "NOOR"])]
AR_FAMILY = [("الحسن", ["AL HASSAN", "ALHASSAN", "EL HASSAN"]),
             ("المصري", ["AL MASRI", "ALMASRI", "EL MASRY"]),
             ("الشمري", ["AL SHAMMARI", "ALSHAMMARI", "AL SHAMARI"]),
             ("العتيبي", ["AL OTAIBI", "ALOTAIBI", "AL UTAYBI"]),
             ("القحطاني", ["AL QAHTANI", "ALQAHTANI", "AL KAHTANI"]),
             ("الزهراني", ["AL ZAHRANI", "ALZAHRANI", "EZ ZAHRANI"]),
             ("حداد", ["HADDAD", "HADAD"]), ("منصور", ["MANSOUR", "MANSUR", "MANSOOR"]),
             ("خليل", ["KHALIL", "KHALEEL"]), ("سليمان", ["SULEIMAN", "SULAYMAN", "SLIMANE"]),
             ("عثمان", ["OTHMAN", "OSMAN", "UTHMAN"]), ("حمدان", ["HAMDAN", "HAMDANE"]),
             ("يعقوب", ["YACOUB", "YAQUB", "YAKOUB"]), ("الأحمد", ["AL AHMAD", "ALAHMED"]),
             ("بن علي", ["BEN ALI", "BIN ALI", "BENALI"]), ("درويش", ["DARWISH", "DERVISH"]),
             ("نصر الله", ["NASRALLAH", "NASRULLAH", "NASR ALLAH"]),
             ("عبد الكريم", ["ABDUL KARIM", "ABDELKARIM", "ABDULKAREEM"]),
             ("شريف", ["SHARIF", "CHERIF", "SHAREEF"]), ("قاسم", ["QASIM", "KASSEM", "QASEM"]),
             ("رشيد", ["RASHID", "RACHID", "RASHEED"]), ("صالح", ["SALEH", "SALIH"]),
             ("جابر", ["JABER", "JABIR", "DJABER"]), ("فرج", ["FARAG", "FARAJ"])]

# --- Chinese: pinyin and Wade-Giles --------------------------------------------------------------
ZH_SURNAMES = [("ZHANG", "CHANG"), ("WANG", "WANG"), ("LI", "LEE"), ("LIU", "LIU"), ("CHEN", "CH'EN"),
               ("YANG", "YANG"), ("ZHAO", "CHAO"), ("HUANG", "HWANG"), ("ZHOU", "CHOU"),
               ("WU", "WU"), ("XU", "HSU"), ("SUN", "SUN"), ("ZHU", "CHU"), ("GAO", "KAO"),
               ("GUO", "KUO"), ("HE", "HO"), ("LUO", "LO"), ("ZHENG", "CHENG"), ("XIE", "HSIEH"),
               ("TANG", "T'ANG"), ("DENG", "TENG"), ("QIAN", "CH'IEN"), ("CAI", "TS'AI"),
               ("ZENG", "TSENG"), ("JIANG", "CHIANG"), ("FENG", "FENG"), ("SONG", "SUNG")]
ZH_SYLL = [("XIAO", "HSIAO"), ("MING", "MING"), ("WEI", "WEI"), ("JIAN", "CHIEN"), ("HUA", "HUA"),
           ("QING", "CH'ING"), ("ZHI", "CHIH"), ("GUO", "KUO"), ("JUN", "CHÜN"), ("YONG", "YUNG"),
           ("LIANG", "LIANG"), ("HONG", "HUNG"), ("XIN", "HSIN"), ("JING", "CHING"),
           ("DONG", "TUNG"), ("FANG", "FANG"), ("PING", "P'ING"), ("YU", "YÜ"), ("LAN", "LAN"),
           ("ZHEN", "CHEN"), ("CHUN", "CH'UN"), ("DE", "TE"), ("BO", "PO"), ("TAO", "T'AO")]

# --- Western -----------------------------------------------------------------------------------
W_GIVEN = ["JOHN", "MICHAEL", "DAVID", "JAMES", "ROBERT", "WILLIAM", "THOMAS", "CHRISTOPHER",
           "DANIEL", "MATTHEW", "ANTHONY", "MARK", "PAUL", "STEVEN", "ANDREW", "KEVIN", "BRIAN",
           "GEORGE", "EDWARD", "PATRICK", "PETER", "JEAN", "PIERRE", "LUC", "FRANCOIS", "JUAN",
           "CARLOS", "JOSE", "LUIS", "MIGUEL", "HANS", "KLAUS", "JORG", "PIETER", "JAN", "MARIA",
           "ANNA", "ELIZABETH", "SARAH", "LAURA", "CATHERINE", "SOPHIE", "ISABELLE", "CARMEN",
           "LUCIA", "ELENA", "CLAIRE", "MARGARET", "JENNIFER", "JESSICA", "EMMA", "JULIA",
           "MARIO", "MARIANNE", "MARTIN", "MARTINA", "DANIELA", "CHRISTINA", "CHRISTIAN"]
W_SURNAMES = ["SMITH", "JOHNSON", "WILLIAMS", "BROWN", "JONES", "MILLER", "DAVIS", "WILSON",
              "ANDERSON", "TAYLOR", "THOMPSON", "MARTIN", "MOORE", "JACKSON", "WHITE", "HARRIS",
              "CLARK", "LEWIS", "ROBINSON", "WALKER", "YOUNG", "ALLEN", "KING", "WRIGHT", "SCOTT",
              "GREEN", "BAKER", "ADAMS", "NELSON", "HILL", "CAMPBELL", "MITCHELL", "ROBERTS",
              "CARTER", "PHILLIPS", "EVANS", "TURNER", "DUBOIS", "LEFEVRE", "MOREAU", "LAURENT",
              "GARCIA", "MARTINEZ", "RODRIGUEZ", "FERNANDEZ", "GONZALEZ", "SANCHEZ", "RAMIREZ",
              "MUELLER", "SCHMIDT", "SCHNEIDER", "FISCHER", "WEBER", "BECKER", "HOFFMANN",
              "VAN DER BERG", "VAN DIJK", "DE VRIES", "DE LA CRUZ", "DA SILVA", "DOS SANTOS",
              "O'BRIEN", "MCDONALD", "FITZGERALD", "KOWALSKI", "NOWAK", "WISNIEWSKI", "NOVAK",
              "HORVATH", "NAGY", "ROSSI", "RUSSO", "ESPOSITO", "BIANCHI", "ROMANO", "COLOMBO"]

KEYBOARD = {c: n for c, n in zip("QWERTYUIOPASDFGHJKLZXCVBNM",
                                 ["WA", "QES", "WRD", "ETF", "RYG", "TUH", "YIJ", "UOK", "IPL", "OL",
                                  "QSZ", "AWDX", "SEFC", "DRGV", "FTHB", "GYJN", "HUKM", "JIL",
                                  "KOP", "ASX", "ZSDC", "XDFV", "CFGB", "VGHN", "BHJM", "NJK"])}


def typo(rng, word):
    letters = [i for i, c in enumerate(word) if c.isalpha()]
    if len(letters) < 5:
        return None
    i = rng.choice(letters[1:])
    kind = rng.randrange(4)
    if kind == 0:
        return word[:i] + rng.choice(KEYBOARD.get(word[i], "E")) + word[i + 1:]
    if kind == 1:
        return word[:i] + word[i + 1:]
    if kind == 2 and i + 1 < len(word) and word[i + 1].isalpha():
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    return word[:i] + word[i] + word[i:]


def rand_date(rng, lo=1950, hi=2002):
    y = rng.randint(lo, hi)
    m = rng.randint(1, 12)
    d = rng.randint(1, 28)
    return y, m, d


def fmt(y, m=None, d=None):
    if m is None:
        return "%04d" % y
    if d is None:
        return "%04d-%02d" % (y, m)
    return "%04d-%02d-%02d" % (y, m, d)


class Person:
    """A person: the list's view and a passport view of the same name."""

    def __init__(self, culture, list_given, list_surname, pass_given, pass_surname, nat, fem=False,
                 src=None):
        self.culture, self.nat, self.fem = culture, nat, fem
        self.list_given, self.list_surname = list_given, list_surname
        self.pass_given, self.pass_surname = pass_given, pass_surname
        # src = (first given name, surname) in the source script: two people with equal keys
        # carry the same name whatever its spelling, so no data can tell them apart by name
        self.src = src
        self.key = (culture,) + tuple(src)


def make_person(rng, culture):
    if culture == "ru":
        fem = rng.random() < 0.4
        g = rng.choice(RU_GIVEN_F if fem else RU_GIVEN_M)
        s = rng.choice(RU_SURNAMES)
        s = feminine(s) if fem else s
        pat = rng.choice(RU_PATRON)
        if fem:
            pat = pat[:-2] + "на" if pat.endswith("ич") else pat
        in_script = rng.random() < 0.5
        lg = (g + " " + pat) if in_script else cyr_latin(g, OLD) + " " + cyr_latin(pat, OLD)
        ls = s if in_script else cyr_latin(s, OLD)
        table = ICAO if rng.random() < 0.7 else OLD
        pg = cyr_latin(g, table) + (" " + cyr_latin(pat, table) if rng.random() < 0.3 else "")
        return Person("ru", lg, ls, pg, cyr_latin(s, table), "RUS", fem, (g, s))
    if culture == "gr":
        g, s = rng.choice(GR_GIVEN), rng.choice(GR_SURNAMES)
        return Person("gr", g, s, elot(g), elot(s), "GRC", src=(g, s))
    if culture == "ar":
        g, gl = rng.choice(AR_GIVEN)
        f, fl = rng.choice(AR_GIVEN[:12])
        s, sl = rng.choice(AR_FAMILY)
        in_script = rng.random() < 0.4
        lg = (g + " " + f) if in_script else rng.choice(gl) + " " + rng.choice(fl)
        ls = s if in_script else rng.choice(sl)
        pg = rng.choice(gl) + (" " + rng.choice(fl) if rng.random() < 0.6 else "")
        return Person("ar", lg, ls, pg, rng.choice(sl),
                      rng.choice(["SAU", "EGY", "IRQ", "SYR", "JOR", "MAR", "DZA", "YEM"]),
                      src=(g, s))
    if culture == "zh":
        (sp, sw) = rng.choice(ZH_SURNAMES)
        a, b = rng.choice(ZH_SYLL), rng.choice(ZH_SYLL)
        pin = a[0] + b[0].lower()
        wade = a[1] + "-" + b[1]
        if rng.random() < 0.5:  # list in Wade-Giles, passport in pinyin (or the reverse)
            return Person("zh", wade, sw, pin.upper(), sp, "CHN", src=(a[0] + b[0], sp))
        # Taiwanese passports print Wade-Giles without apostrophes or umlauts
        return Person("zh", pin.upper(), sp, wade.replace("'", "").replace("Ü", "U"),
                      sw.replace("'", ""), rng.choice(["TWN", "HKG", "CHN"]), src=(a[0] + b[0], sp))
    g = rng.choice(W_GIVEN)
    mid = rng.choice(W_GIVEN) if rng.random() < 0.4 else ""
    s = rng.choice(W_SURNAMES)
    full_g = g + (" " + mid if mid else "")
    return Person("w", full_g, s, full_g, s,
                  rng.choice(["USA", "GBR", "FRA", "ESP", "DEU", "NLD", "ITA", "POL", "BRA"]),
                  src=("w:" + g, s))


# Given names that are one name written in several scripts or languages: a traveller carrying
# one of them is not a different person from a listed carrier of another.
SAME_NAME = [{"w:MARIA", "Мария", "Μαρία"}, {"w:SOPHIE", "Софья", "Σοφία"},
             {"w:ELENA", "Ελένη"}, {"w:JULIA", "Юлия"}]


def same_name(a, b):
    return a == b or any(a in g and b in g for g in SAME_NAME)


def distinct_person(rng, culture, used):
    """A person whose name key is not on the list (a namesake by chance would be unlabelable)."""
    while True:
        p = make_person(rng, culture)
        if p.key not in used:
            return p


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=20261130)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "tests", "data",
                                                   "screen_eval"))
    ap.add_argument("--entries", type=int, default=1500)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    cultures = ["ru", "ar", "gr", "zh", "w", "w", "ar", "ru"]
    entries, people = [], []
    used = set()  # name keys on the list: no two entries carry the same name
    for i in range(args.entries):
        p = distinct_person(rng, cultures[i % len(cultures)], used)
        used.add(p.key)
        y, m, d = rand_date(rng)
        r = rng.random()
        p.dob = (y, m, d)
        p.list_dob = fmt(y, m, d) if r < 0.7 else fmt(y) if r < 0.9 else None
        eid = "WL-%05d" % i
        e = {"entry_id": eid, "list": rng.choice(["INTERPOL-RED", "NATIONAL", "UN-SANCTIONS"]),
             "category": rng.choice(["TERRORISM", "SERIOUS_CRIME", "SANCTIONS"]),
             "severity": rng.choice(["HIGH", "CRITICAL", "MEDIUM"]),
             "names": [{"given_names": p.list_given, "surname": p.list_surname}],
             "date_of_birth": p.list_dob, "nationality": p.nat}
        if rng.random() < 0.3:
            e["documents"] = [{"number": "%s%07d" % (p.nat[:1], rng.randrange(10**7)),
                               "issuing_country": p.nat, "type": "PASSPORT"}]
        entries.append(e)
        p.eid = eid
        people.append(p)

    travellers = []

    def trav(p, given, surname, dob, expect, cls, nat=None, about=None):
        t = {"id": "T%05d" % len(travellers), "given_names": given, "surname": surname,
             "date_of_birth": dob, "gender": "F" if p.fem else "M", "nationality": nat or p.nat,
             "document": None, "expect": expect, "class": cls}
        if about:
            t["about"] = about
        travellers.append(t)

    pos_classes = ["translit", "translit", "typo", "reorder", "missing_middle", "initial",
                   "spacing", "dob_swapped", "dob_year_off", "translit_typo"]
    for idx, p in enumerate(people):
        y, m, d = p.dob
        full = fmt(y, m, d)
        cls = pos_classes[idx % len(pos_classes)]
        g, s = p.pass_given, p.pass_surname
        dob = full
        if cls == "typo" or cls == "translit_typo":
            toks = (g + " " + s).split()
            k = rng.randrange(len(toks))
            t = typo(rng, toks[k])
            if t:
                toks[k] = t
            ng = len(g.split())
            g, s = " ".join(toks[:ng]), " ".join(toks[ng:])
        elif cls == "reorder":
            g, s = s, g
        elif cls == "missing_middle":
            g = g.split()[0]
        elif cls == "initial":
            parts = g.split()
            g = parts[0] + (" " + parts[1][0] if len(parts) > 1 else "")
        elif cls == "spacing" and p.culture in ("ar", "w", "zh"):
            if " " in s:
                s = s.replace(" ", "")
            elif " " in g:
                g = g.replace(" ", "", 1)
            # otherwise the name has no compound to respace: the passport spelling stays
        elif cls == "dob_swapped" and d <= 12 and d != m and p.list_dob and len(p.list_dob) == 10:
            dob = fmt(y, d, m)
        elif cls == "dob_year_off" and p.list_dob and len(p.list_dob) == 4:
            dob = fmt(y + rng.choice([-1, 1]), m, d)
        trav(p, g, s, dob, [p.eid], "pos:" + cls)

    neg_classes = ["namesake", "sibling", "near_name", "spouse", "unrelated"]
    # near names come from the person's own culture: (spelling, name in its source script)
    pools = {"w": [(w, "w:" + w) for w in W_GIVEN],
             "ru": [(cyr_latin(x, t), x) for x in RU_GIVEN_M + RU_GIVEN_F for t in (ICAO, OLD)],
             "ar": [(v, a) for a, vs in AR_GIVEN for v in vs],
             "gr": [(elot(x), x) for x in GR_GIVEN], "zh": []}
    for idx, p in enumerate(people):
        y, m, d = p.dob
        cls = neg_classes[idx % len(neg_classes)]
        if cls == "namesake":
            ny = y + rng.choice([-9, -6, -4, -3, -2, 2, 3, 5, 8])
            nm, nd = rng.randint(1, 12), rng.randint(1, 28)
            if p.list_dob is None:
                # Same name as an entry that records nothing else: no data tells them apart.
                # Kept, unscored, to show what an officer is asked to review.
                trav(p, p.pass_given, p.pass_surname, fmt(ny, nm, nd), None,
                     "undecidable:namesake", about=p.eid)
            else:
                trav(p, p.pass_given, p.pass_surname, fmt(ny, nm, nd), [], "neg:namesake")
        elif cls == "sibling":
            other = distinct_person(rng, p.culture, used)
            if same_name(other.src[0], p.src[0]) or (p.culture, other.src[0], p.src[1]) in used:
                continue
            trav(p, other.pass_given, p.pass_surname,
                 fmt(y + rng.choice([-3, -2, -1, 1, 2, 3]), rng.randint(1, 12), rng.randint(1, 28)),
                 [], "neg:sibling")
        elif cls == "near_name":
            toks = p.pass_given.split()
            first = toks[0]
            # another real name that looks alike, never another spelling of the same name
            near = [(x, src) for x, src in pools[p.culture] if x[:2] == first[:2] and
                    abs(len(x) - len(first)) <= 2 and not same_name(src, p.src[0]) and
                    x not in p.pass_given.split() and (p.culture, src, p.src[1]) not in used]
            if not near:
                continue
            toks[0] = rng.choice(near)[0]
            trav(p, " ".join(toks), p.pass_surname,
                 fmt(y + rng.choice([-1, 0, 1]), rng.randint(1, 12), rng.randint(1, 28)), [],
                 "neg:near_name")
        elif cls == "spouse" and p.culture == "ru" and not p.fem:
            wife = rng.choice(RU_GIVEN_F)
            if ("ru", wife, feminine(p.src[1])) in used:
                continue
            trav(p, cyr_latin(wife, ICAO), p.pass_surname + "A",
                 fmt(y + rng.choice([-2, -1, 0, 1, 2]), rng.randint(1, 12), rng.randint(1, 28)),
                 [], "neg:spouse")
        else:
            other = distinct_person(rng, p.culture, used)
            trav(other, other.pass_given, other.pass_surname, fmt(*rand_date(rng)), [],
                 "neg:unrelated")
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "watchlist.jsonl"), "w", encoding="utf-8") as f:
        for e in entries:
            f.write(json.dumps(e, ensure_ascii=False) + "\n")
    with open(os.path.join(args.out, "travellers.jsonl"), "w", encoding="utf-8") as f:
        for t in travellers:
            f.write(json.dumps(t, ensure_ascii=False) + "\n")
    print("entries %d travellers %d (positive %d)" % (
        len(entries), len(travellers), sum(1 for t in travellers if t["expect"])))


if __name__ == "__main__":
    main()
