#!/usr/bin/env python3
"""Deterministic synthetic register of third-country nationals with known duplicates.

Writes `register.csv` in the `sprint dedup` input format
(id,given_names,family_name,sex,birth_date,nationality,name_original,phone,document_id,cui)
and `truth.csv` (id,person): records with the same `person` are one human being.

What it imitates (Rome's programme for third-country nationals):
- nationalities weighted like arrivals: Egypt, Bangladesh, Tunisia, Pakistan, Afghanistan,
  Gambia, Guinea, Côte d'Ivoire, Eritrea, Ukraine, Mali, Senegal;
- name frequencies per origin that are very skewed (Mohamed, Md, Diallo, Islam, Hossain…),
  so many different people share a full name and a birth year: on top of that, a cohort of
  distinct "Mohamed Ahmed", Egyptian, male, born 2007 with no documented day (hundreds at
  100,000 records);
- re-registrations (about one person in five has 2–5 records) with: transliteration
  variants (Mohamed/Muhammad/Mouhamed, Hossain/Hussain/Hosen, Oleksandr/Aleksandr…),
  swapped given and family names, a dropped second name, everything in one name field,
  typing slips, the name written in its original script (Arabic, Cyrillic), 1 January
  placeholders and year-only dates, re-assessed ages (year ±1), day/month swaps, missing
  sex, nationality written as a code or a name in Italian/English/French, renewed
  passports, changed or missing phones, shared centre phones, a CUI known only from some
  point on, rare typos in identifiers.

Usage: generate.py --records N --seed S --out DIR
Same N and seed give byte-identical files.
"""

import argparse
import csv
import os
import random

# (code, weight, pool, share of documented full birth dates, share of minors)
NATIONALITIES = [
    ("EG", 17, "egypt", 0.55, 0.55),
    ("BD", 15, "bangladesh", 0.55, 0.30),
    ("TN", 8, "tunisia", 0.60, 0.35),
    ("PK", 7, "pakistan", 0.50, 0.30),
    ("AF", 5, "afghanistan", 0.25, 0.45),
    ("GM", 6, "gambia", 0.30, 0.40),
    ("GN", 7, "guinea", 0.30, 0.45),
    ("CI", 6, "ivory", 0.35, 0.40),
    ("ER", 4, "eritrea", 0.40, 0.35),
    ("UA", 9, "ukraine", 0.97, 0.25),
    ("ML", 3, "guinea", 0.30, 0.40),
    ("SN", 3, "gambia", 0.35, 0.35),
]

# How a nationality is written in partners' spreadsheets (all resolve with
# namematch::country::lookup; checked by run.sh: no generated row is skipped).
NATIONALITY_FORMS = {
    "EG": ["EG", "EGY", "Egitto", "Egypt", "Égypte", "egiziana"],
    "BD": ["BD", "BGD", "Bangladesh", "bangladese"],
    "TN": ["TN", "TUN", "Tunisia", "Tunisie"],
    "PK": ["PK", "PAK", "Pakistan"],
    "AF": ["AF", "AFG", "Afghanistan"],
    "GM": ["GM", "GMB", "Gambia", "Gambie"],
    "GN": ["GN", "GIN", "Guinea", "Guinée"],
    "CI": ["CI", "CIV", "Costa d'Avorio", "Côte d'Ivoire", "Ivory Coast"],
    "ER": ["ER", "ERI", "Eritrea", "Érythrée"],
    "UA": ["UA", "UKR", "Ucraina", "Ukraine"],
    "ML": ["ML", "MLI", "Mali"],
    "SN": ["SN", "SEN", "Senegal", "Sénégal"],
}

# Name pools: (weight, spellings); the first spelling is the usual one.
def pool(spec):
    out = []
    for item in spec.split(";"):
        item = item.strip()
        if not item:
            continue
        weight, spellings = item.split(":")
        out.append((int(weight), [s.strip() for s in spellings.split("|")]))
    return out


ARAB_MALE = pool("""
 30:Mohamed|Mohammed|Muhammad|Mohamad|Mouhamed|Mohammad; 14:Ahmed|Ahmad; 8:Mahmoud|Mahmud|Mahmood;
 6:Mostafa|Mustafa|Moustafa; 6:Youssef|Yousef|Yusuf|Youssif; 5:Abdelrahman|Abdel Rahman|Abdulrahman|Abd El Rahman;
 5:Omar|Omer|Umar; 5:Ali; 4:Ibrahim|Ebrahim; 4:Hassan|Hasan; 4:Khaled|Khalid; 3:Islam|Eslam;
 3:Hamza|Hamzah; 3:Karim|Kareem; 2:Amr|Amro; 2:Tarek|Tareq|Tariq; 2:Ziad|Ziyad|Zeyad;
 3:Abdallah|Abdullah|Abdalla; 2:Saeed|Said|Saied; 2:Marwan; 2:Seif|Saif; 2:Belal|Bilal;
 2:Hossam|Hosam|Husam; 1:Adel|Adil; 1:Walid|Waleed; 1:Ayman|Aymen; 1:Sherif|Cherif; 1:Anas;
 1:Yassin|Yassine|Yasin; 1:Osama|Oussama|Usama; 1:Hazem; 1:Fares|Faris
""")
ARAB_FEMALE = pool("""
 6:Fatma|Fatima|Fatmah; 5:Mariam|Maryam|Meriem; 4:Nour|Noor|Nur; 3:Aya|Aia; 3:Salma; 3:Yasmin|Yasmine|Jasmin;
 2:Esraa|Israa|Esra; 2:Heba|Hiba; 2:Mona|Muna; 2:Sara|Sarah; 2:Amira|Ameera; 1:Rania; 1:Doaa|Duaa
""")
EGYPT_FAMILY = pool("""
 14:Mohamed|Mohammed|Muhammad|Mohamad; 10:Ahmed|Ahmad; 6:Mahmoud|Mahmud; 5:Ali; 5:Hassan|Hasan;
 5:Ibrahim|Ebrahim; 4:Abdelaziz|Abdel Aziz|Abdulaziz; 4:Elsayed|El Sayed|El-Sayed|Al Sayed;
 4:Mostafa|Mustafa; 4:Abdallah|Abdullah; 3:Gamal|Jamal; 3:Salah|Salah Eldin; 3:Fathy|Fathi;
 3:Ramadan|Ramadhan; 3:Shaaban|Shaban; 2:Abdelhamid|Abdel Hamid|Abdulhamid; 2:Khalil|Khaleel;
 2:Farag|Faraj; 2:Soliman|Sulaiman|Suleiman; 2:Youssef|Yousef|Yusuf; 2:Saad; 2:Osman|Othman;
 1:Abdelmoneim|Abdel Moneim|Abdulmunim; 1:Hegazy|Hegazi|Higazi; 1:Shehata|Shehatah; 1:Zaki|Zaky;
 1:Badawi|Badawy; 1:Nasr|Nassr; 1:Tawfik|Tawfiq|Toufik; 1:Eid|Aid; 1:Morsi|Morsy|Mursi
""")
TUNISIA_MALE = pool("""
 20:Mohamed|Mohammed|Med; 8:Ahmed|Ahmad; 6:Ali; 5:Amine|Amin; 5:Aymen|Ayman|Aimen; 4:Bilel|Bilal;
 4:Hamza; 4:Oussama|Ousama|Osama|Usama; 3:Wassim|Wasim|Ouassim; 3:Yassine|Yassin|Yasin;
 3:Mehdi|Mahdi; 2:Skander|Iskander; 2:Firas|Feras; 2:Rayen|Rayan; 2:Karim|Kareem; 2:Nizar; 2:Hatem|Hatim;
 2:Walid|Oualid; 1:Chaker|Shaker; 1:Sami|Samy
""")
TUNISIA_FAMILY = pool("""
 5:Ben Ali|Benali|Ben-Ali; 4:Ben Salah|Bensalah; 4:Trabelsi|Ettrabelsi; 4:Jlassi|Jelassi;
 3:Gharbi|Garbi; 3:Hamdi; 3:Ayari|Aiari; 3:Mejri|Mejeri; 3:Riahi; 3:Saidi|Saiidi; 3:Dridi;
 3:Ben Ahmed|Benahmed; 2:Hammami|Hamami; 2:Chebbi|Chabbi; 2:Zouari|Zuari; 2:Khelifi|Khlifi|Khalifi;
 2:Mansouri|Mansuri; 2:Bouazizi|Bou Azizi; 2:Jebali|Jbali; 2:Sassi; 1:Kefi|Kafi; 1:Ferchichi|Ferchichy;
 1:Marzouki|Marzougui; 1:Tlili; 1:Abidi|Labidi; 1:Hamrouni|Hamruni; 1:Oueslati|Weslati|Ouselati
""")
BANGLA_PREFIX = pool("40:Md|Md.|MD|Mohammad|Muhammad|Mohammed|Mohd")
BANGLA_MALE = pool("""
 5:Rakibul|Rakib; 4:Shahin|Shaheen; 4:Rasel|Rasal; 4:Sajib|Sajeeb; 4:Rubel; 4:Arif; 4:Sohel|Sohail;
 3:Mamun|Mamoon; 3:Jahid|Zahid; 3:Nayeem|Naim|Nayem; 3:Tanvir|Tanveer; 3:Imran; 3:Shakil|Shakeel;
 3:Rifat; 3:Sabbir|Sabir; 3:Monir|Monirul; 3:Alamgir; 2:Kamal|Kamrul; 2:Jamal; 2:Rahim; 2:Karim;
 2:Hasan|Hassan; 2:Mizanur|Mizan; 2:Habibur|Habib; 2:Saiful; 2:Shafiqul|Shafikul; 2:Anisur|Anis;
 2:Mahbub|Mahbubur; 1:Faruk|Faruque|Farooq; 1:Selim|Salim; 1:Jewel|Juel; 1:Sumon|Suman; 1:Ripon|Repon
""")
BANGLA_FEMALE = pool("""
 4:Fatema|Fatima; 3:Nasrin|Nasreen; 3:Shirin|Sherin; 3:Taslima|Taslema; 2:Rokeya|Rokeia;
 2:Sumaiya|Sumaya; 2:Nusrat; 2:Jannat|Jannatul
""")
BANGLA_FAMILY = pool("""
 14:Islam; 12:Hossain|Hussain|Hosen|Hossen|Husain; 8:Ahmed|Ahmad; 8:Rahman|Rahaman;
 6:Uddin|Udin|Uddeen; 6:Miah|Mia|Mian|Miya; 5:Alam; 4:Chowdhury|Chowdhuri|Choudhury; 4:Khan;
 3:Sarker|Sarkar; 3:Sheikh|Shaikh|Sk; 3:Molla|Mollah; 2:Biswas; 2:Talukder|Talukdar;
 2:Bhuiyan|Bhuiya|Bhuyan; 2:Mondal|Mandal; 2:Howlader|Hawlader; 2:Kabir; 1:Haque|Hoque|Huq;
 1:Sikder|Sikdar; 1:Akand|Akanda
""")
BANGLA_FEMALE_FAMILY = pool("10:Akter|Akhter|Aktar|Akhtar; 6:Begum; 5:Khatun|Khatoon; 3:Islam; 2:Sultana")
PAK_MALE = pool("""
 20:Muhammad|Mohammad|Muhammed|Mohammed; 6:Ali; 5:Ahmed|Ahmad; 4:Hassan|Hasan; 4:Usman|Osman|Othman;
 4:Bilal; 4:Hamza; 4:Imran; 3:Asif; 3:Zeeshan|Zishan; 3:Waqas; 3:Adnan; 3:Faisal|Faysal; 2:Kashif;
 2:Shahzad|Shehzad; 2:Arslan; 2:Umair|Umer; 2:Danish; 2:Junaid; 1:Saqib|Saqeb; 1:Naveed|Navid
""")
PAK_FAMILY = pool("""
 10:Khan; 6:Ali; 6:Hussain|Hussein|Husain; 5:Shah; 4:Butt|Bhatt; 4:Iqbal; 4:Ahmed|Ahmad; 4:Malik;
 3:Akhtar|Akhter; 3:Mehmood|Mahmood|Mahmud; 3:Aslam; 3:Raza; 3:Javed|Javaid|Jawed;
 2:Qureshi|Kureshi; 2:Chaudhry|Chaudhary|Choudhry; 2:Rehman|Rahman; 2:Abbasi; 2:Siddiqui|Siddiqi;
 1:Gondal; 1:Bajwa; 1:Cheema|Chima
""")
AFGHAN_MALE = pool("""
 12:Mohammad|Muhammad|Mohamad|Mohammed; 8:Ahmad|Ahmed; 6:Ali; 5:Hussain|Hussein|Hosain;
 4:Abdul Rahim|Abdulrahim|Abdurrahim; 4:Abdullah|Abdulla; 3:Mustafa|Mostafa; 3:Sayed|Sayyed|Syed;
 3:Zabihullah|Zabiullah; 3:Najibullah|Najeebullah; 3:Rahmatullah|Rahmatulla; 3:Jawad|Javad;
 2:Sohrab|Suhrab; 2:Ramin; 2:Farid|Fareed; 2:Khalid; 2:Bilal; 2:Shafiq|Shafik; 2:Hamid|Hameed;
 2:Naweed|Navid|Naveed; 2:Ehsan|Ahsan; 1:Wahid|Waheed; 1:Jamshid|Jamshed
""")
AFGHAN_FAMILY = pool("""
 6:Ahmadi|Ahmady; 5:Mohammadi|Muhammadi|Mohammady; 4:Rahimi|Rahimy; 4:Hakimi; 4:Sultani|Soltani;
 4:Noori|Nouri|Nuri; 4:Haidari|Haydari|Heidari; 3:Karimi; 3:Amiri; 3:Hussaini|Husaini|Hosseini;
 2:Safi; 2:Stanikzai|Stanekzai; 2:Popal; 2:Wardak; 2:Khan; 2:Rezaei|Rezai; 2:Jafari|Jafary;
 1:Sharifi; 1:Nazari; 1:Azizi
""")
GAMBIA_MALE = pool("""
 8:Lamin|Lamine; 7:Ebrima|Ebrahima; 6:Modou|Modu; 5:Ousman|Ousmane|Usman; 5:Momodou|Mamadou|Momadou;
 4:Alieu|Aliou|Aliu; 4:Bakary|Bakari; 4:Sulayman|Suleiman|Souleymane; 4:Omar; 3:Musa|Moussa;
 3:Abdoulie|Abdoulaye|Abdulai; 3:Sainey|Saine; 2:Yusupha|Yousoupha|Yusufa; 2:Pa; 2:Babucarr|Babucar|Boubacar;
 2:Ismaila|Ismael; 2:Sheriff|Cherif; 1:Kebba|Keba; 1:Malick|Malik; 1:Alagie|Alhaji
""")
GAMBIA_FEMALE = pool("5:Fatou|Fatoumata; 4:Isatou|Aissatou; 3:Mariama|Mariam; 3:Awa; 2:Haddy|Hadi; 2:Binta")
GAMBIA_FAMILY = pool("""
 8:Jallow|Jalloh|Diallo; 6:Ceesay|Sise|Cisse; 6:Bah|Ba; 5:Touray|Toure; 4:Sanneh|Sanne; 4:Darboe|Darbo;
 4:Jammeh|Jame; 4:Camara|Kamara; 4:Sowe|Sow; 3:Jobe|Job; 3:Njie|Njai; 3:Sillah|Sylla|Silla;
 3:Drammeh|Drame; 2:Manneh|Mane; 2:Fofana; 2:Jatta|Diatta; 2:Saidy|Saidi; 2:Colley|Coly;
 2:Marong; 2:Faye|Fay; 1:Badjie|Bajie; 1:Gassama|Gasama
""")
GUINEA_MALE = pool("""
 10:Mamadou|Mamadu|Mamoudou; 5:Alpha|Alfa; 6:Ibrahima|Ibrahim; 5:Abdoulaye|Abdulai|Abdoulai;
 5:Amadou|Ahmadou|Amadu; 4:Ousmane|Usmane|Ousman; 4:Mohamed|Mohammed|Mouhamed; 3:Sekou|Sékou;
 3:Alhassane|Alhassan; 3:Thierno|Tierno; 3:Boubacar|Aboubacar|Bubakar; 3:Souleymane|Suleyman;
 2:Fode|Fodé; 2:Oumar|Umar|Omar; 2:Saliou|Saliu; 2:Moussa|Musa; 2:Lansana|Lansana; 2:Sidiki|Siddiki;
 1:Mory|Mori; 1:Kerfalla|Kerfala; 1:Aboubacar Sidiki|Aboubacar Siddiki
""")
GUINEA_FEMALE = pool("5:Fatoumata|Fatumata|Fatou; 5:Aissatou|Aïssatou|Aisatou; 4:Mariama|Mariam; 3:Kadiatou|Kadiatu|Khadiatou; 2:Hawa|Awa")
GUINEA_FAMILY = pool("""
 12:Diallo|Djallo|Jallo; 7:Barry|Bari|Barrie; 6:Bah|Ba; 5:Sow|Sowe; 5:Camara|Kamara; 4:Condé|Conde|Konde;
 4:Keita|Keïta; 3:Soumah|Souma|Sumah; 3:Sylla|Silla; 3:Touré|Toure; 3:Cissé|Cisse; 3:Baldé|Balde;
 2:Kouyaté|Kouyate; 2:Traoré|Traore; 2:Doumbouya|Dumbuya; 2:Kaba; 2:Sangaré|Sangare; 2:Koroma|Kourouma;
 1:Fofana; 1:Yansané|Yansane; 1:Millimono|Milimono
""")
IVORY_MALE = pool("""
 5:Moussa|Musa; 5:Adama; 4:Seydou|Seidou; 4:Yacouba|Yakuba; 4:Souleymane|Soulemane; 4:Ibrahim|Ibrahima;
 4:Issouf|Youssouf|Issoufou; 3:Lassina|Lacina; 3:Karim; 3:Mamadou|Mamadu; 3:Bakary|Bakari; 3:Kouassi|Kouasi;
 3:Yao; 2:Jean; 2:Emmanuel; 2:Koffi|Kofi; 2:Drissa|Idrissa; 2:Abou|Abu; 1:Arouna|Harouna; 1:Siaka
""")
IVORY_FEMALE = pool("4:Mariam|Mariame; 3:Aminata|Aminatou; 3:Awa; 2:Adjoua|Adjowa; 2:Fanta")
IVORY_FAMILY = pool("""
 8:Koné|Kone; 7:Ouattara|Watara|Ouatara; 6:Traoré|Traore; 6:Coulibaly|Kulibali|Koulibaly; 4:Bamba;
 4:Diomandé|Diomande; 3:Cissé|Cisse; 3:Touré|Toure; 3:Kouassi|Kouasi; 3:Konan; 3:Kouamé|Kouame;
 3:Yao; 3:N'Guessan|Nguessan|N Guessan; 2:Kouadio|Kwadio; 2:Doumbia|Dumbia; 2:Sanogo; 2:Fofana;
 2:Diabaté|Diabate; 2:Soro; 2:Silué|Silue; 1:Dosso; 1:Meité|Meite
""")
ERITREA_MALE = pool("""
 5:Yonas|Jonas; 5:Filmon|Filimon|Philmon; 4:Tesfay|Tesfai|Tesfaye; 4:Mussie|Musie; 4:Biniam|Biniyam|Beniam;
 4:Dawit; 3:Robel; 3:Samuel; 3:Habtom|Habtem; 3:Mehari; 3:Okbay|Ogbay|Okbai; 3:Yohannes|Yohanes|Johannes;
 3:Semere|Semre; 2:Temesgen|Temesghen; 2:Kibrom|Kebrom; 2:Aron; 2:Amanuel|Emanuel; 2:Henok|Henock;
 2:Merhawi|Mehrawi; 1:Natnael|Natanael; 1:Abel
""")
ERITREA_FEMALE = pool("3:Senait|Senayt; 3:Helen; 3:Selam; 2:Luwam|Luam; 2:Saba; 2:Yordanos|Jordanos")
ERITREA_FAMILY = pool("""
 5:Tekle|Teklay|Tekleh; 5:Kidane|Kidan; 4:Ghebremariam|Gebremariam|Ghebre Mariam|Gebre Mariam;
 4:Berhane|Berhe|Berhan; 4:Haile|Hayle; 3:Tesfamariam|Tesfa Mariam; 3:Tesfaye|Tesfay; 3:Mehari;
 3:Weldemichael|Woldemichael|Welde Michael; 3:Abraha|Abreha; 3:Hagos; 2:Andemariam|Ande Mariam;
 2:Gebrehiwet|Ghebrehiwet; 2:Asfaha; 2:Ghirmay|Girmay|Ghirmai; 2:Yemane|Yemani; 2:Estifanos|Stefanos;
 2:Tewelde|Tewolde; 1:Habte|Habtay; 1:Okbamichael|Okba Michael
""")
UKR_MALE = pool("""
 6:Oleksandr|Olexandr|Aleksandr|Alexander; 5:Andrii|Andriy|Andrey; 5:Serhii|Serhiy|Sergey|Sergii;
 4:Dmytro|Dmitry|Dmitriy; 4:Volodymyr|Vladimir; 3:Mykola|Nikolai|Nikolay; 3:Yurii|Yuriy|Yuri|Iurii;
 3:Ivan; 3:Vasyl|Vasily|Vasilii; 3:Maksym|Maxim|Maksim; 2:Artem|Artiom; 2:Oleh|Oleg; 2:Bohdan|Bogdan;
 2:Taras; 2:Denys|Denis; 1:Vitalii|Vitaliy|Vitaly; 1:Ihor|Igor
""")
UKR_FEMALE = pool("""
 6:Olena|Elena|Olena; 5:Iryna|Irina; 5:Nataliia|Natalia|Nataliya; 5:Tetiana|Tatiana|Tetyana; 4:Oksana;
 4:Yuliia|Yulia|Iuliia; 4:Anastasiia|Anastasia|Anastasiya; 3:Svitlana|Svetlana; 3:Kateryna|Ekaterina;
 3:Mariia|Maria|Mariya; 3:Viktoriia|Viktoria|Victoria; 2:Halyna|Galina; 2:Liudmyla|Lyudmila|Ludmila;
 2:Sofiia|Sofia|Sofiya; 2:Daryna|Darina
""")
UKR_FAMILY = pool("""
 4:Kovalenko; 4:Shevchenko; 4:Bondarenko; 3:Tkachenko; 3:Kravchenko; 3:Melnyk|Melnik; 3:Boiko|Boyko;
 3:Koval; 3:Kovalchuk|Kovalczuk; 3:Oliinyk|Oleynik|Oliynyk; 2:Shevchuk; 2:Polishchuk|Polischuk;
 2:Lysenko|Lisenko; 2:Marchenko; 2:Rudenko; 2:Savchenko; 2:Petrenko; 2:Moroz; 2:Pavlenko;
 2:Klymenko|Klimenko; 1:Ponomarenko; 1:Kharchenko|Harchenko; 1:Levchenko; 1:Karpenko; 1:Zhuk|Juk;
 1:Sydorenko|Sidorenko; 1:Hryhorenko|Grigorenko; 1:Yakovenko|Iakovenko
""")

POOLS = {
    # pool: (male given, female given, family, female family or None, male share)
    "egypt": (ARAB_MALE, ARAB_FEMALE, EGYPT_FAMILY, None, 0.90),
    "tunisia": (TUNISIA_MALE, ARAB_FEMALE, TUNISIA_FAMILY, None, 0.90),
    "bangladesh": (BANGLA_MALE, BANGLA_FEMALE, BANGLA_FAMILY, BANGLA_FEMALE_FAMILY, 0.93),
    "pakistan": (PAK_MALE, BANGLA_FEMALE, PAK_FAMILY, None, 0.95),
    "afghanistan": (AFGHAN_MALE, ARAB_FEMALE, AFGHAN_FAMILY, None, 0.85),
    "gambia": (GAMBIA_MALE, GAMBIA_FEMALE, GAMBIA_FAMILY, None, 0.88),
    "guinea": (GUINEA_MALE, GUINEA_FEMALE, GUINEA_FAMILY, None, 0.80),
    "ivory": (IVORY_MALE, IVORY_FEMALE, IVORY_FAMILY, None, 0.78),
    "eritrea": (ERITREA_MALE, ERITREA_FEMALE, ERITREA_FAMILY, None, 0.75),
    "ukraine": (UKR_MALE, UKR_FEMALE, UKR_FAMILY, None, 0.30),
}

# Original scripts, for the usual spelling of names in pools that have one.
ARABIC = {
    "Mohamed": "محمد", "Ahmed": "أحمد", "Mahmoud": "محمود", "Mostafa": "مصطفى", "Youssef": "يوسف",
    "Abdelrahman": "عبد الرحمن", "Omar": "عمر", "Ali": "علي", "Ibrahim": "إبراهيم", "Hassan": "حسن",
    "Khaled": "خالد", "Islam": "إسلام", "Hamza": "حمزة", "Karim": "كريم", "Amr": "عمرو", "Tarek": "طارق",
    "Ziad": "زياد", "Abdallah": "عبد الله", "Saeed": "سعيد", "Marwan": "مروان", "Seif": "سيف",
    "Belal": "بلال", "Hossam": "حسام", "Adel": "عادل", "Walid": "وليد", "Ayman": "أيمن", "Sherif": "شريف",
    "Anas": "أنس", "Yassin": "ياسين", "Osama": "أسامة", "Hazem": "حازم", "Fares": "فارس",
    "Fatma": "فاطمة", "Mariam": "مريم", "Nour": "نور", "Aya": "آية", "Salma": "سلمى", "Yasmin": "ياسمين",
    "Esraa": "إسراء", "Heba": "هبة", "Mona": "منى", "Sara": "سارة", "Amira": "أميرة", "Rania": "رانيا",
    "Doaa": "دعاء", "Abdelaziz": "عبد العزيز", "Elsayed": "السيد", "Gamal": "جمال", "Salah": "صلاح",
    "Fathy": "فتحي", "Ramadan": "رمضان", "Shaaban": "شعبان", "Abdelhamid": "عبد الحميد", "Khalil": "خليل",
    "Farag": "فرج", "Soliman": "سليمان", "Saad": "سعد", "Osman": "عثمان", "Abdelmoneim": "عبد المنعم",
    "Hegazy": "حجازي", "Shehata": "شحاتة", "Zaki": "زكي", "Badawi": "بدوي", "Nasr": "نصر",
    "Tawfik": "توفيق", "Eid": "عيد", "Morsi": "مرسي", "Amine": "أمين", "Aymen": "أيمن", "Bilel": "بلال",
    "Oussama": "أسامة", "Wassim": "وسيم", "Yassine": "ياسين", "Mehdi": "مهدي", "Skander": "إسكندر",
    "Firas": "فراس", "Rayen": "ريان", "Nizar": "نزار", "Hatem": "حاتم", "Chaker": "شاكر", "Sami": "سامي",
    "Ben Ali": "بن علي", "Ben Salah": "بن صالح", "Trabelsi": "الطرابلسي", "Jlassi": "الجلاصي",
    "Gharbi": "الغربي", "Hamdi": "حمدي", "Ayari": "العياري", "Mejri": "الماجري", "Riahi": "الرياحي",
    "Saidi": "السعيدي", "Dridi": "الدريدي", "Ben Ahmed": "بن أحمد", "Hammami": "الحمامي",
    "Chebbi": "الشابي", "Zouari": "الزواري", "Khelifi": "الخليفي", "Mansouri": "المنصوري",
    "Bouazizi": "البوعزيزي", "Jebali": "الجبالي", "Sassi": "ساسي", "Kefi": "الكافي",
    "Ferchichi": "الفرشيشي", "Marzouki": "المرزوقي", "Tlili": "التليلي", "Abidi": "العبيدي",
    "Hamrouni": "الحمروني", "Oueslati": "الوسلاتي",
}
CYRILLIC = {
    "Oleksandr": "Олександр", "Andrii": "Андрій", "Serhii": "Сергій", "Dmytro": "Дмитро",
    "Volodymyr": "Володимир", "Mykola": "Микола", "Yurii": "Юрій", "Ivan": "Іван", "Vasyl": "Василь",
    "Maksym": "Максим", "Artem": "Артем", "Oleh": "Олег", "Bohdan": "Богдан", "Taras": "Тарас",
    "Denys": "Денис", "Vitalii": "Віталій", "Ihor": "Ігор", "Olena": "Олена", "Iryna": "Ірина",
    "Nataliia": "Наталія", "Tetiana": "Тетяна", "Oksana": "Оксана", "Yuliia": "Юлія",
    "Anastasiia": "Анастасія", "Svitlana": "Світлана", "Kateryna": "Катерина", "Mariia": "Марія",
    "Viktoriia": "Вікторія", "Halyna": "Галина", "Liudmyla": "Людмила", "Sofiia": "Софія",
    "Daryna": "Дарина", "Kovalenko": "Коваленко", "Shevchenko": "Шевченко", "Bondarenko": "Бондаренко",
    "Tkachenko": "Ткаченко", "Kravchenko": "Кравченко", "Melnyk": "Мельник", "Boiko": "Бойко",
    "Koval": "Коваль", "Kovalchuk": "Ковальчук", "Oliinyk": "Олійник", "Shevchuk": "Шевчук",
    "Polishchuk": "Поліщук", "Lysenko": "Лисенко", "Marchenko": "Марченко", "Rudenko": "Руденко",
    "Savchenko": "Савченко", "Petrenko": "Петренко", "Moroz": "Мороз", "Pavlenko": "Павленко",
    "Klymenko": "Клименко", "Ponomarenko": "Пономаренко", "Kharchenko": "Харченко",
    "Levchenko": "Левченко", "Karpenko": "Карпенко", "Zhuk": "Жук", "Sydorenko": "Сидоренко",
    "Hryhorenko": "Григоренко", "Yakovenko": "Яковенко",
}
SCRIPT_OF_POOL = {"egypt": ARABIC, "tunisia": ARABIC, "ukraine": CYRILLIC}

KEYBOARD = {
    "a": "sq", "b": "vn", "c": "xv", "d": "sf", "e": "wr", "f": "dg", "g": "fh", "h": "gj", "i": "uo",
    "j": "hk", "k": "jl", "l": "k", "m": "n", "n": "bm", "o": "ip", "p": "o", "q": "wa", "r": "et",
    "s": "ad", "t": "ry", "u": "yi", "v": "cb", "w": "qe", "x": "zc", "y": "tu", "z": "x",
}


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.centre_phones = ["06 5%06d" % self.r.randrange(10**6) for _ in range(30)]
        self.cuis = set()

    def weighted(self, items):
        total = sum(w for w, _ in items)
        x = self.r.random() * total
        for w, v in items:
            x -= w
            if x < 0:
                return v
        return items[-1][1]

    def chance(self, p):
        return self.r.random() < p

    def nationality(self):
        return self.weighted([(w, (c, p, doc, minors)) for c, w, p, doc, minors in NATIONALITIES])

    # --- people -------------------------------------------------------------------------

    def person(self, forced=None):
        code, pool_name, documented, minors = self.nationality()
        male_given, female_given, family, female_family, male_share = POOLS[pool_name]
        sex = "M" if self.chance(male_share) else "F"
        if forced:
            code, pool_name, sex = "EG", "egypt", "M"
            male_given, female_given, family, female_family, male_share = POOLS["egypt"]
        given_pool = male_given if sex == "M" else female_given
        given = [self.weighted(given_pool)]
        if pool_name == "bangladesh" and sex == "M" and self.chance(0.6):
            given.insert(0, self.weighted(BANGLA_PREFIX))
        elif pool_name in ("guinea", "gambia", "pakistan", "afghanistan") and self.chance(0.2):
            given.append(self.weighted(given_pool))
        fam_pool = female_family if (sex == "F" and female_family) else family
        fam = [self.weighted(fam_pool)]
        if pool_name in ("egypt", "eritrea") and self.chance(0.45):
            fam.append(self.weighted(fam_pool))
        if pool_name == "afghanistan" and self.chance(0.35):
            fam = []  # a single name, no family name
        if forced:
            given = [ARAB_MALE[0][1]]  # Mohamed, in all its spellings
            fam = [EGYPT_FAMILY[1][1]]  # Ahmed
        # Birth: year, and a documented day or not.
        if forced:
            year = 2007
            documented_day = False
        else:
            if pool_name == "ukraine":
                year = self.r.randint(1950, 2020)
            elif self.chance(minors):
                year = self.r.randint(2006, 2009)
            else:
                year = self.r.randint(1975, 2005)
            documented_day = self.chance(documented)
        month, day = self.r.randint(1, 12), self.r.randint(1, 28)
        person = {
            "nat": code,
            "pool": pool_name,
            "sex": sex,
            "given": given,
            "family": fam,
            "year": year,
            "month": month,
            "day": day,
            "documented": documented_day,
            "phone": ("3%02d %07d" % (self.r.randint(20, 99), self.r.randrange(10**7)))
            if self.chance(0.45)
            else None,
            "centre_phone": self.r.choice(self.centre_phones) if self.chance(0.06) else None,
            "passport": self.passport(code) if self.chance(0.85 if code == "UA" else 0.3) else None,
            "cui": self.cui() if self.chance(0.3) else None,
            "writes_original": pool_name in SCRIPT_OF_POOL and self.chance(0.3),
        }
        return person

    def passport(self, code):
        if code == "UA":
            return "%s%06d" % (self.r.choice(["FE", "FA", "EK", "EH", "GA"]), self.r.randrange(10**6))
        if code in ("EG", "BD", "PK"):
            return "A%08d" % self.r.randrange(10**8)
        return "%s%07d" % (
            "".join(self.r.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(2)),
            self.r.randrange(10**7),
        )

    def cui(self):
        while True:
            c = "".join(self.r.choice("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(7))
            if c not in self.cuis:
                self.cuis.add(c)
                return c

    # --- records ------------------------------------------------------------------------

    def spell(self, spellings, first):
        """The first record of a person uses the usual spelling more often."""
        if len(spellings) == 1 or self.chance(0.7 if first else 0.45):
            return spellings[0]
        return self.r.choice(spellings[1:])

    def typo(self, word):
        letters = [i for i, ch in enumerate(word) if ch.isalpha()]
        if len(letters) < 4:
            return word
        i = self.r.choice(letters[1:])
        kind = self.r.randrange(4)
        if kind == 0:
            return word[:i] + word[i + 1 :]
        if kind == 1:
            near = KEYBOARD.get(word[i].lower(), "e")
            return word[:i] + self.r.choice(near) + word[i + 1 :]
        if kind == 2 and i + 1 < len(word):
            return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        return word[:i] + word[i] + word[i:]

    def birth(self, p, first):
        y, m, d = p["year"], p["month"], p["day"]
        if p["documented"]:
            x = self.r.random()
            if x < 0.76 or (first and x < 0.85):
                return "%04d-%02d-%02d" % (y, m, d)
            if x < 0.86:
                return "%04d-01-01" % y
            if x < 0.90:
                return "%04d" % y
            if x < 0.94:
                return ""
            if x < 0.97 and d <= 12 and d != m:
                return "%04d-%02d-%02d" % (y, d, m)
            return "%04d-%02d-%02d" % (y, m, max(1, min(28, d + self.r.choice([-1, 1, 10]))))
        x = self.r.random()
        if x < 0.62:
            return "%04d-01-01" % y
        if x < 0.82:
            return "%04d" % y
        if x < 0.87:
            return ""
        if x < 0.95 and not first:
            return "%04d-01-01" % (y + self.r.choice([-1, 1]))  # age re-assessed
        return "%04d-%02d-%02d" % (y, self.r.randint(1, 12), self.r.randint(1, 28))  # invented

    def record(self, p, first):
        given = [self.spell(s, first) for s in p["given"]]
        family = [self.spell(s, first) for s in p["family"]]
        original = ""
        script = SCRIPT_OF_POOL.get(p["pool"])
        if script and p["writes_original"] and self.chance(0.8):
            words = [script.get(s[0]) for s in p["given"] + p["family"]]
            if all(words):
                original = " ".join(words)
        if not first:
            if len(family) > 1 and self.chance(0.25):
                family = family[:1]  # the grandfather's name dropped
            if len(given) > 1 and self.chance(0.2):
                given = given[1:] if given[0] in ("Md", "Md.", "MD", "Mohd") else given[:1]
            if self.chance(0.08):
                words = given + family
                j = self.r.randrange(len(words))
                words[j] = self.typo(words[j])
                given, family = words[: len(given)], words[len(given) :]
        g, f = " ".join(given), " ".join(family)
        if not first and self.chance(0.12):
            g, f = f, g  # given and family names swapped
        if not first and self.chance(0.04):
            g, f = (g + " " + f).strip(), ""  # everything in one field
        if original and not first and self.chance(0.1):
            parts = original.split(" ")
            k = len(p["given"])
            g, f = " ".join(parts[:k]), " ".join(parts[k:])  # typed in the original script
        if not g and f:
            g, f = f, ""
        if self.chance(0.03):
            g, f = g.upper(), f.upper()
        sex = p["sex"]
        x = self.r.random()
        sex = "" if x < 0.05 else (("male" if sex == "M" else "female") if x < 0.15 else sex)
        nat = "" if self.chance(0.04) else self.r.choice(NATIONALITY_FORMS[p["nat"]])
        phones = []
        if p["phone"] and self.chance(0.6):
            ph = p["phone"]
            phones.append(self.r.choice([ph, "+39 " + ph, ph.replace(" ", ""), "0039" + ph.replace(" ", "")]))
        elif not first and self.chance(0.15):
            phones.append("3%02d %07d" % (self.r.randint(20, 99), self.r.randrange(10**7)))
        if p["centre_phone"] and self.chance(0.7):
            phones.append(p["centre_phone"])
        passport = ""
        if p["passport"] and self.chance(0.55):
            passport = p["passport"]
            if not first and self.chance(0.12):
                passport = self.passport(p["nat"])  # renewed
                p["passport"] = passport
            elif self.chance(0.2):
                passport = passport[:2] + " " + passport[2:]
        cui = ""
        if p["cui"] and (not first or self.chance(0.3)) and self.chance(0.7):
            cui = p["cui"]
            if self.chance(0.01):
                cui = cui[:-1] + self.r.choice("0123456789")  # mistyped
        return {
            "given_names": g,
            "family_name": f,
            "sex": sex,
            "birth_date": self.birth(p, first),
            "nationality": nat,
            "name_original": original,
            "phone": "; ".join(phones),
            "document_id": passport,
            "cui": cui,
        }

    def records_per_person(self):
        x = self.r.random()
        if x < 0.80:
            return 1
        if x < 0.93:
            return 2
        if x < 0.98:
            return 3
        return 4 + self.r.randrange(2)


def generate(n, seed):
    g = Gen(seed)
    rows = []
    person_id = 0
    g.forced = set()
    while len(rows) < n:
        person_id += 1
        forced = g.chance(0.004)  # the distinct "Mohamed Ahmed", Egyptian, born 2007
        if forced:
            g.forced.add("P%07d" % person_id)
        p = g.person(forced=forced)
        for k in range(g.records_per_person()):
            rec = g.record(p, first=(k == 0))
            rec["person"] = "P%07d" % person_id
            rows.append(rec)
    rows = rows[:n]
    g.r.shuffle(rows)
    for i, rec in enumerate(rows):
        rec["id"] = "R%07d" % (i + 1)
    return rows, g.forced


FIELDS = [
    "id", "given_names", "family_name", "sex", "birth_date", "nationality",
    "name_original", "phone", "document_id", "cui",
]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--records", type=int, required=True)
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    rows, forced = generate(a.records, a.seed)
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "register.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=FIELDS, extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    with open(os.path.join(a.out, "truth.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "person"])
        for rec in rows:
            w.writerow([rec["id"], rec["person"]])
    people = len({r["person"] for r in rows})
    cohort = {r["person"] for r in rows if r["person"] in forced}
    print(
        f"{a.out}: {len(rows)} records of {people} persons, among them {len(cohort)} "
        "distinct 'Mohamed Ahmed' (any spelling), Egyptian, born 2007"
    )


if __name__ == "__main__":
    main()
