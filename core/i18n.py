"""Interface texts in German and English, and number formatting per language.

German comes first: it is the default language of the app (``BEDARFSATLAS_LANGUAGE``)
and every text is written in German and English. Texts live here, in plain Python,
so that pages, map builders and the assessment use the same wording, and a test can
check that no text lacks a translation.

Examples
--------
>>> t("nav.overview", "de")
'Übersichtskarte'
>>> t("nav.overview", "en")
'Overview map'
>>> t("legend.count", "de", n=3)
'3 Gebiete'
>>> format_number(1234.5, 1, "de")
'1.234,5'
>>> format_number(1234.5, 1, "en")
'1,234.5'

A text that counts something has a ``one`` and an ``other`` form per language;
pass the count as ``n`` (a number) and ``t`` picks the form and formats ``n``:

>>> t("live.count", "de", n=1), t("live.count", "de", n=1200)
('1 Meldung', '1.200 Meldungen')
"""

from __future__ import annotations

import math
import re

LANGUAGES = ("de", "en")
LANGUAGE_NAMES = {"de": "Deutsch", "en": "English"}

TEXTS: dict[str, dict[str, str | dict[str, str]]] = {
    # App shell
    "app.title": {"de": "Bedarfsatlas Berlin", "en": "Bedarfsatlas Berlin (needs atlas)"},
    "app.language": {"de": "Sprache / Language", "en": "Sprache / Language"},
    "app.data_error": {
        "de": "Die offenen Daten fehlen oder sind beschädigt. Die App startet erst, wenn sie vollständig sind.",
        "en": "The open data is missing or corrupt. The app starts only when it is complete.",
    },
    "nav.overview": {"de": "Übersichtskarte", "en": "Overview map"},
    "nav.sources": {"de": "Quellen und Impressum", "en": "Sources and imprint"},
    # Overview map
    "overview.title": {"de": "Übersichtskarte", "en": "Overview map"},
    "overview.intro": {
        "de": "Wählen Sie eine LOR-Ebene und einen Indikator. Fahren Sie mit der Maus über ein "
        "Gebiet oder klicken Sie es an, um Name und Wert zu sehen. Die Tabelle unter der Karte "
        "enthält dieselben Werte.",
        "en": "Choose an LOR level and an indicator. Hover over or click an area to see its "
        "name and value. The table below the map holds the same values.",
    },
    "overview.report_link": {
        "de": "**Bedarf melden** – Was fehlt in Ihrem Kiez?",
        "en": "**Report a need** – what is missing in your neighbourhood?",
    },
    "overview.level": {"de": "LOR-Ebene", "en": "LOR level"},
    "overview.indicator": {"de": "Indikator", "en": "Indicator"},
    "overview.no_indicators": {
        "de": "Für diese Ebene ist noch kein Indikator verfügbar.",
        "en": "No indicator is available at this level yet.",
    },
    "overview.selected": {"de": "Ausgewählt: {name} ({id}): {value}", "en": "Selected: {name} ({id}): {value}"},
    "overview.select_hint": {
        "de": "Klicken Sie ein Gebiet in der Karte an, um es hier anzuzeigen.",
        "en": "Click an area on the map to show it here.",
    },
    "overview.table": {"de": "Tabelle aller Gebiete (ohne Karte)", "en": "Table of all areas (no map needed)"},
    "overview.map_label": {
        "de": "Karte: {indicator} je {level}",
        "en": "Map: {indicator} per {level}",
    },
    "column.id": {"de": "Schlüssel", "en": "ID"},
    "column.name": {"de": "Name", "en": "Name"},
    "column.bezirk": {"de": "Bezirk", "en": "Bezirk"},
    "column.value": {"de": "Wert", "en": "Value"},
    "column.class": {"de": "Klasse", "en": "Class"},
    # Legend and map
    "legend.title": {"de": "Legende", "en": "Legend"},
    "legend.missing": {"de": "keine Angabe", "en": "no data"},
    "legend.count": {"de": "{n} Gebiete", "en": "{n} areas"},
    "legend.count_one": {"de": "1 Gebiet", "en": "1 area"},
    "legend.scheme.quantiles": {
        "de": "Klassen: Quantile (etwa gleich viele Gebiete je Klasse)",
        "en": "Classes: quantiles (about the same number of areas per class)",
    },
    # maps.classify: ties (many areas with one value) made the quantile classes unequal.
    "legend.scheme.quantiles_unequal": {
        "de": "Klassen: Quantile; durch gleiche Werte ungleich viele Gebiete je Klasse",
        "en": "Classes: quantiles; tied values make the classes unequal in size",
    },
    "legend.scheme.natural_breaks": {
        "de": "Klassen: natürliche Brüche (Fisher-Jenks)",
        "en": "Classes: natural breaks (Fisher-Jenks)",
    },
    "legend.scheme.categories": {"de": "Klassen: amtliche Klassen", "en": "Classes: official classes"},
    "legend.direction.up": {"de": "Dunkler = höherer Bedarf", "en": "Darker = more need"},
    "legend.direction.neutral": {"de": "Dunkler = höherer Wert", "en": "Darker = higher value"},
    "legend.source": {"de": "Quelle", "en": "Source"},
    "map.area": {"de": "Gebiet", "en": "Area"},
    "map.basemap": {"de": "Hintergrundkarte", "en": "Base map"},
    # Sources and imprint
    "sources.title": {"de": "Quellen und Impressum", "en": "Sources and imprint"},
    "sources.intro": {
        "de": "Alle Daten der App sind amtliche offene Daten. Jede Zahl in der App nennt ihre "
        "Quelle; hier stehen alle Datensätze mit Lizenz und Namensnennung.",
        "en": "All data in the app is official open data. Every figure in the app names its "
        "source; here are all datasets with licence and attribution.",
    },
    "sources.datasets": {"de": "Datensätze", "en": "Datasets"},
    "sources.publisher": {"de": "Herausgeber", "en": "Publisher"},
    "sources.licence": {"de": "Lizenz", "en": "Licence"},
    "sources.attribution": {"de": "Namensnennung", "en": "Attribution"},
    "sources.reference_date": {"de": "Stand", "en": "Reference date"},
    "sources.source_url": {"de": "Quelle", "en": "Source"},
    "sources.licence_note": {"de": "Hinweis zur Lizenz", "en": "Licence note"},
    "sources.notes": {"de": "Anmerkungen", "en": "Notes"},
    "sources.citation": {"de": "Zitiervorschlag", "en": "How to cite"},
    "sources.basemap": {"de": "Hintergrundkarte", "en": "Base map"},
    "sources.basemap_none": {
        "de": "Keine: die Karte lädt keine Kacheln von fremden Servern.",
        "en": "None: the map loads no tiles from other servers.",
    },
    "sources.software": {"de": "Software", "en": "Software"},
    "sources.software_text": {
        "de": "Bedarfsatlas Berlin ist freie Software unter der EUPL-1.2. Karten: Leaflet "
        "(BSD-2-Clause), ausgeliefert von diesem Server.",
        "en": "Bedarfsatlas Berlin is free software under the EUPL-1.2. Maps: Leaflet "
        "(BSD-2-Clause), served by this server.",
    },
    "imprint.title": {"de": "Impressum", "en": "Imprint"},
    "imprint.missing": {
        "de": "Das Impressum fehlt noch. Hinweis für die Betreiberin oder den Betreiber dieser Instanz: "
        "Schreiben Sie Name, Anschrift, Kontakt und vertretungsberechtigte Person (§ 5 DDG) in eine "
        "Markdown-Datei und geben Sie deren Pfad in der Einstellung BEDARFSATLAS_IMPRINT_FILE an "
        "(siehe README, Abschnitt „Configuration“).",
        "en": "The imprint is still missing. Note for the operator of this instance: write name, address, "
        "contact and the person authorised to represent (§ 5 DDG) into a Markdown file and give its path "
        "in the setting BEDARFSATLAS_IMPRINT_FILE (see the README, section “Configuration”).",
    },
    "imprint.unreadable": {
        "de": "Das Impressum kann nicht angezeigt werden. Hinweis für den Betrieb: {reason}",
        "en": "The imprint cannot be shown. Note for the operator: {reason}",
    },
    # --- Residents' page /melden (keys "report.*") ---
    "report.nav": {"de": "Bedarf melden", "en": "Report a need"},
    "report.title": {"de": "Was fehlt in Ihrem Kiez?", "en": "What is missing in your neighbourhood?"},
    "report.intro": {
        "de": "Ort wählen, sagen was fehlt, absenden – fertig. Ohne Konto und ohne persönliche Daten.",
        "en": "Choose the place, say what is missing, send – done. No account, no personal data.",
    },
    "report.step_place": {"de": "1. Wo?", "en": "1. Where?"},
    # Says what the map does: the planning areas' names come with a place (maps.resident.areas_around),
    # not with zooming alone; a dot opens its need and leaves the pin where it is.
    "report.map_hint": {
        "de": "Tippen oder klicken Sie in die Karte, um eine Stecknadel zu setzen; ein neuer Klick versetzt sie. "
        "Die Linien sind die Bezirksgrenzen, ihre Namen stehen in der Karte. Sobald die Stecknadel gesetzt ist, "
        "zeigt die Karte die Planungsräume rund um Ihren Ort mit Namen. Ein Tipp auf einen Punkt zeigt den "
        "Bedarf, der dort gemeldet ist; Ihre Stecknadel bleibt stehen.",
        "en": "Tap or click the map to drop a pin; another click moves it. "
        "The lines are the district boundaries, with their names on the map. Once the pin is set, the map "
        "shows the planning areas around your place with their names. A tap on a dot shows the need "
        "reported there; your pin stays where it is.",
    },
    "report.outside": {
        "de": "Dieser Ort liegt außerhalb Berlins. Bitte wählen Sie einen Ort innerhalb der Landesgrenze "
        "oder ein Gebiet aus den Listen. Es wurde nichts gespeichert.",
        "en": "This place is outside Berlin. Please choose a place within the city boundary "
        "or an area from the lists. Nothing was stored.",
    },
    "report.place_point": {
        "de": "Ihr Ort liegt im Planungsraum {plr} (Bezirksregion {bzr}, Bezirk {bez}).",
        "en": "Your place is in the planning area {plr} (district region {bzr}, district {bez}).",
    },
    "report.place_area": {
        "de": "Gewähltes Gebiet: {level} {name}. Die Meldung gilt für das ganze Gebiet, ohne genauen Punkt.",
        "en": "Chosen area: {level} {name}. The need applies to the whole area, without an exact point.",
    },
    "report.no_place": {"de": "Noch kein Ort gewählt.", "en": "No place chosen yet."},
    "report.without_map": {"de": "Ort ohne Karte wählen", "en": "Choose the place without the map"},
    # Before the map: moves the focus to the first area list (ui.focus.skip_link).
    "report.skip_map": {"de": "Karte überspringen", "en": "Skip the map"},
    "report.without_map_hint": {
        "de": "Tippen Sie einen Namen, um die Liste zu filtern. Der Bezirk genügt, genauer ist besser.",
        "en": "Type a name to filter the list. The district is enough; more precise is better.",
    },
    "report.bezirk": {"de": "Bezirk", "en": "District (Bezirk)"},
    "report.bzr": {"de": "Bezirksregion", "en": "District region (Bezirksregion)"},
    "report.plr": {"de": "Planungsraum", "en": "Planning area (Planungsraum)"},
    "report.choose": {"de": "Bitte wählen oder tippen", "en": "Choose or type"},
    "report.step_what": {"de": "2. Was fehlt?", "en": "2. What is missing?"},
    "report.category": {"de": "Thema", "en": "Topic"},
    "report.category_missing": {
        "de": "Das Thema fehlt. Bitte wählen Sie ein Thema aus der Liste „Thema“.",
        "en": "The topic is missing. Please choose a topic from the list “Topic”.",
    },
    "report.title_label": {"de": "Kurzer Titel (3 bis 120 Zeichen)", "en": "Short title (3 to 120 characters)"},
    "report.title_placeholder": {"de": "z. B. Mehr Schatten auf dem Spielplatz", "en": "e.g. More shade at the playground"},
    "report.description_label": {
        "de": "Beschreibung (freiwillig, höchstens 1.000 Zeichen)",
        "en": "Description (optional, at most 1,000 characters)",
    },
    # Under the title and the description: the count the server checks, also when a paste went past it.
    # When a level has no such indicator (class indicators exist per PLR only, the crime atlas from BZR up).
    "indicator.not_at_level": {
        "de": "„{indicator}“ gibt es nur für {levels}; gezeigt wird „{shown}“.",
        "en": "“{indicator}” exists for {levels} only; showing “{shown}”.",
    },
    "words.and": {"de": "und", "en": "and"},
    "report.length": {"de": "{n} von {limit} Zeichen", "en": "{n} of {limit} characters"},
    "report.length_over": {
        "de": {"one": "{length} von höchstens {limit} Zeichen – bitte um {n} Zeichen kürzen",
               "other": "{length} von höchstens {limit} Zeichen – bitte um {n} Zeichen kürzen"},
        "en": {"one": "{length} of at most {limit} characters – please shorten by {n} character",
               "other": "{length} of at most {limit} characters – please shorten by {n} characters"},
    },
    "report.no_contact": {
        "de": "Bitte keine Namen, E-Mail-Adressen oder Telefonnummern: Meldungen werden öffentlich.",
        "en": "Please no names, e-mail addresses or phone numbers: needs become public.",
    },
    "report.privacy_title": {"de": "Datenschutz", "en": "Privacy"},
    "report.privacy": {
        "de": "Gespeichert werden nur: Thema, Titel, Beschreibung, der Ort (Punkt oder Gebiet), "
        "der Zeitpunkt und die Sprache der Seite. Nicht gespeichert werden: Name, E-Mail-Adresse, "
        "IP-Adresse oder andere Angaben zu Ihrer Person. Wer es sieht: nach einer Prüfung durch das "
        "Moderationsteam alle, öffentlich auf der Karte und in Auswertungen. Wie lange: veröffentlichte "
        "Meldungen werden {published_days} Tage nach dem Absenden gelöscht, spätestens zum Ende des "
        "Projekts; abgelehnte und zusammengeführte Meldungen {rejected_days} Tage nach der Entscheidung.",
        "en": "We store only: topic, title, description, the place (point or area), the time and "
        "the page language. We do not store: your name, e-mail address, IP address or anything else "
        "about you. Who sees it: after a check by the moderators, everyone, publicly on the map and in "
        "assessments. How long: published needs are deleted {published_days} days after they were sent, "
        "at the latest at the end of the project; rejected and merged needs {rejected_days} days after "
        "the decision.",
    },
    "report.privacy_published": {
        "de": "Hinweis: Auf dieser Seite werden Meldungen sofort veröffentlicht, ohne vorherige Prüfung.",
        "en": "Note: on this site needs are published at once, without a prior check.",
    },
    "report.honeypot": {
        "de": "Bitte leer lassen (Schutz vor automatischen Meldungen)",
        "en": "Leave this empty (protection against automated reports)",
    },
    "report.submit": {"de": "Bedarf senden", "en": "Send need"},
    "report.done": {
        "de": "Danke! Ihr Bedarf ist gespeichert. Ihre Kennung: {reference}",
        "en": "Thank you! Your need is stored. Your reference: {reference}",
    },
    "report.next_pending": {
        "de": "Wie es weitergeht: Das Moderationsteam prüft die Meldung; danach erscheint sie öffentlich "
        "auf der Karte und fließt in die Bedarfsauswertung für das Gebiet ein. Fragen zu Ihrer Meldung "
        "richten Sie bitte unter Angabe der Kennung an die Kontaktstelle im Impressum (Seite „Quellen "
        "und Impressum“).",
        "en": "What happens next: the moderators check the need; then it appears publicly on the map "
        "and counts in the needs assessment of the area. If you have questions about it, please write to "
        "the contact in the imprint (page “Sources and imprint”) and quote the reference.",
    },
    "report.next_published": {
        "de": "Wie es weitergeht: Die Meldung ist ab sofort öffentlich auf der Karte und fließt in die "
        "Bedarfsauswertung für das Gebiet ein. Fragen zu Ihrer Meldung richten Sie bitte unter Angabe "
        "der Kennung an die Kontaktstelle im Impressum (Seite „Quellen und Impressum“).",
        "en": "What happens next: the need is public on the map now and counts in the needs assessment "
        "of the area. If you have questions about it, please write to the contact in the imprint "
        "(page “Sources and imprint”) and quote the reference.",
    },
    "report.another": {"de": "Sie können gleich einen weiteren Bedarf melden.", "en": "You can report another need right away."},
    # Under the send button: which fields to check, named as the form labels them (a refused send).
    "report.not_saved_fields": {
        "de": "Nicht gespeichert. Bitte prüfen Sie: {fields}.",
        "en": "Not stored. Please check: {fields}.",
    },
    "report.not_saved": {"de": "Nicht gespeichert.", "en": "Not stored."},
    "report.field_place": {"de": "Ort", "en": "Place"},
    "report.field_category": {"de": "Thema", "en": "Topic"},
    "report.field_title": {"de": "Titel", "en": "Title"},
    "report.field_description": {"de": "Beschreibung", "en": "Description"},
    "report.rate_limited": {
        "de": "Nicht gespeichert: Sie haben in kurzer Zeit schon {limit} Bedarfe gemeldet. "
        "Bitte versuchen Sie es in etwa {minutes} Minuten noch einmal.",
        "en": "Not stored: you have already reported {limit} needs in a short time. "
        "Please try again in about {minutes} minutes.",
    },
    "report.limit_no_browser": {
        "de": "Nicht gespeichert: Ihr Browser sendet keine Cookies. Alle Meldungen ohne Cookie teilen sich "
        "{limit} Meldungen in 10 Minuten, und diese sind aufgebraucht. Bitte versuchen Sie es {when} noch einmal "
        "oder erlauben Sie Cookies für diese Seite.",
        "en": "Not stored: your browser sends no cookies. All reports without a cookie share {limit} reports "
        "per 10 minutes, and these are used up. Please try again {when} or allow cookies for this site.",
    },
    "report.limit_workshop_minute": {
        "de": "Nicht gespeichert: In dieser Werkstatt wurden in der letzten Minute schon {limit} Bedarfe gemeldet "
        "(die Obergrenze pro Minute). Bitte versuchen Sie es {when} noch einmal.",
        "en": "Not stored: {limit} needs were already reported in this workshop in the last minute "
        "(the ceiling per minute). Please try again {when}.",
    },
    "report.limit_workshop_day": {
        "de": "Nicht gespeichert: In dieser Werkstatt wurden heute schon {limit} Bedarfe gemeldet "
        "(die Obergrenze pro Tag). Bitte versuchen Sie es {when} noch einmal.",
        "en": "Not stored: {limit} needs were already reported in this workshop within a day "
        "(the ceiling per day). Please try again {when}.",
    },
    "report.limit_overall_minute": {
        "de": "Nicht gespeichert: Im Bedarfsatlas wurden in der letzten Minute schon {limit} Bedarfe gemeldet "
        "(die Obergrenze pro Minute). Bitte versuchen Sie es {when} noch einmal.",
        "en": "Not stored: {limit} needs were already reported in the Bedarfsatlas in the last minute "
        "(the ceiling per minute). Please try again {when}.",
    },
    "report.limit_overall_day": {
        "de": "Nicht gespeichert: Im Bedarfsatlas wurden heute schon {limit} Bedarfe gemeldet "
        "(die Obergrenze pro Tag). Bitte versuchen Sie es {when} noch einmal.",
        "en": "Not stored: {limit} needs were already reported in the Bedarfsatlas within a day "
        "(the ceiling per day). Please try again {when}.",
    },
    "report.wait_minute": {"de": "in etwa {n} Minute", "en": "in about {n} minute"},
    "report.wait_minutes": {"de": "in etwa {n} Minuten", "en": "in about {n} minutes"},
    "report.wait_hours": {"de": "in etwa {n} Stunden", "en": "in about {n} hours"},
    "report.honeypot_refused": {
        "de": "Nicht gespeichert: Das Feld „Bitte leer lassen“ war ausgefüllt.",
        "en": "Not stored: the field “Leave this empty” was filled in.",
    },
    "report.busy": {
        "de": "Die Datenbank ist gerade ausgelastet; es wurde nichts gespeichert. Bitte versuchen Sie es gleich noch einmal.",
        "en": "The database is busy right now; nothing was stored. Please try again in a moment.",
    },
    "report.step_nearby": {"de": "3. Bedarfe in der Nähe", "en": "3. Needs nearby"},
    "report.nearby_hint": {
        "de": "Wählen Sie einen Ort, um veröffentlichte Bedarfe in der Nähe zu sehen und zu unterstützen.",
        "en": "Choose a place to see and support published needs nearby.",
    },
    "report.nearby_empty": {
        "de": "In der Nähe gibt es noch keinen veröffentlichten Bedarf.",
        "en": "There is no published need nearby yet.",
    },
    # The list says its order: the nearest first, from the pin or from the middle of the chosen area.
    "report.nearby_count": {
        "de": {"one": "{n} veröffentlichter Bedarf in der Nähe (auch als Punkt auf der Karte):",
               "other": "{n} veröffentlichte Bedarfe in der Nähe, die nächsten zuerst (auch als Punkte auf der Karte):"},
        "en": {"one": "{n} published need nearby (also as a dot on the map):",
               "other": "{n} published needs nearby, the nearest first (also as dots on the map):"},
    },
    "report.nearby_count_area": {
        "de": {"one": "{n} veröffentlichter Bedarf im gewählten Gebiet (auch als Punkt auf der Karte):",
               "other": "{n} veröffentlichte Bedarfe im gewählten Gebiet, die der Gebietsmitte nächsten zuerst "
                        "(auch als Punkte auf der Karte):"},
        "en": {"one": "{n} published need in the chosen area (also as a dot on the map):",
               "other": "{n} published needs in the chosen area, those nearest its middle first "
                        "(also as dots on the map):"},
    },
    "report.nearby_item": {
        "de": "{distance} · {category} · {area} · Unterstützungen: {supports}",
        "en": "{distance} · {category} · {area} · supports: {supports}",
    },
    # How far a listed need is from the chosen place (assessment.participation.residents.distance_text).
    "report.distance_m": {"de": "ca. {m} m", "en": "about {m} m"},
    "report.distance_km": {"de": "ca. {km} km", "en": "about {km} km"},
    "report.distance_close": {"de": "weniger als 10 m", "en": "less than 10 m"},
    "report.distance_area": {"de": "im gewählten Gebiet", "en": "in the chosen area"},
    "report.support": {"de": "Ich auch", "en": "Me too"},
    "report.support_label": {"de": "Ich auch: {title}", "en": "Me too: {title}"},
    "report.supported": {"de": "Sie unterstützen diesen Bedarf.", "en": "You support this need."},
    "report.supported_button": {"de": "Ich auch – gezählt", "en": "Me too – counted"},
    # Not "Melden": the page itself is "Bedarf melden"; this button flags someone else's post.
    "report.flag": {"de": "Problem melden", "en": "Report a problem"},
    "report.flag_hint": {
        "de": "Unangemessen? Ihr Hinweis geht an das Moderationsteam. Nach Hinweisen von {n} verschiedenen "
        "Personen innerhalb eines Tages wird der Beitrag ausgeblendet, bis das Moderationsteam entscheidet – "
        "außer es hat ihn schon geprüft und freigegeben.",
        "en": "Inappropriate? Your notice goes to the moderators. After notices from {n} different people within "
        "a day the post is hidden until the moderators decide – unless they have checked and approved it already.",
    },
    "report.flag_reason": {"de": "Grund", "en": "Reason"},
    "report.flag_confirm": {"de": "Hinweis an die Moderation senden", "en": "Send a notice to the moderators"},
    "report.flag_done": {
        "de": "Danke, das Moderationsteam prüft den Beitrag.",
        "en": "Thank you, the moderators will check this post.",
    },
    "report.flag_already": {
        "de": "Dieser Beitrag wird schon vom Moderationsteam geprüft.",
        "en": "The moderators are already checking this post.",
    },
    "report.flag_known": {
        "de": "Ihr Hinweis zu diesem Beitrag liegt schon vor; er zählt einmal. Das Moderationsteam prüft ihn.",
        "en": "Your notice about this post is in already; it counts once. The moderators will check it.",
    },
    "report.flag_no_cookie": {
        "de": "Nicht gesendet: Hinweise gehen nur mit dem Cookie dieser Seite – daran erkennt sie, dass ein Hinweis "
        "einmal zählt, ohne zu wissen, wer Sie sind. Ihr Browser hat es nicht mitgeschickt. Bitte erlauben Sie "
        "Cookies für diese Seite und laden Sie sie dann neu.",
        "en": "Not sent: notices need this page's cookie – it is how the page counts a notice once without knowing "
        "who you are. Your browser did not send it. Please allow cookies for this page, then reload it.",
    },
    "report.flag_limited": {
        "de": "Nicht gesendet: Aus diesem Browser kamen in den letzten {window} Minuten schon {limit} Hinweise. "
        "Bitte versuchen Sie es in etwa {minutes} Minuten noch einmal.",
        "en": "Not sent: this browser has sent {limit} notices in the last {window} minutes already. Please try "
        "again in about {minutes} minutes.",
    },
    "report.workshop": {"de": "Sie melden im Workshop: {title}", "en": "You are reporting in the workshop: {title}"},
    "report.workshop_unknown": {
        "de": "Einen Workshop mit dem Code „{code}“ gibt es nicht. Bitte prüfen Sie den Link oder QR-Code. "
        "Sie können trotzdem melden; die Meldung wird dann keinem Workshop zugeordnet.",
        "en": "There is no workshop with the code “{code}”. Please check the link or QR code. "
        "You can still report; the need is then not linked to a workshop.",
    },
    # Shown on /melden?workshop=CODE when the workshop does not take needs now, one text per status.
    "report.workshop_new": {
        "de": "Der Workshop „{title}“ hat noch nicht begonnen: Die Moderation öffnet ihn gleich für Meldungen. "
        "Bitte laden Sie die Seite dann neu. Wenn Sie jetzt melden, wird die Meldung dem Workshop nicht zugeordnet.",
        "en": "The workshop “{title}” has not started yet: the facilitator will open it for needs shortly. "
        "Please reload the page then. If you report now, the need is not linked to the workshop.",
    },
    "report.workshop_closed": {
        "de": "Der Workshop „{title}“ nimmt gerade keine Meldungen an. Wenn Sie jetzt melden, wird die Meldung "
        "dem Workshop nicht zugeordnet. Sie können trotzdem melden.",
        "en": "The workshop “{title}” is not taking needs at the moment. If you report now, the need is not "
        "linked to the workshop. You can still report.",
    },
    "report.workshop_frozen": {
        "de": "Der Workshop „{title}“ ist beendet; neue Meldungen werden ihm nicht mehr zugeordnet. "
        "Sie können trotzdem melden.",
        "en": "The workshop “{title}” has ended; new needs are no longer linked to it. You can still report.",
    },
    # Which limit a send counts against, on /melden?workshop=CODE (assessment.participation.submission.report_allowance).
    "report.allowance_table": {
        "de": "Tisch-Gerät „{label}“ des Workshops: Von hier aus können alle am Tisch zusammen bis zu {limit} "
        "Bedarfe in {minutes} Minuten senden.",
        "en": "Table device “{label}” of the workshop: everyone at this table together can send up to {limit} "
        "needs in {minutes} minutes from here.",
    },
    "report.allowance_staff": {
        "de": "Sie sind als Moderation angemeldet: Für Ihre Meldungen im Workshop gilt nicht die Grenze für "
        "Einzelpersonen, sondern bis zu {limit} Bedarfe in {minutes} Minuten.",
        "en": "You are signed in as a facilitator: your needs in the workshop are not held to the limit for "
        "individuals; you can send up to {limit} needs in {minutes} minutes.",
    },
    "report.table_link_invalid": {
        "de": "Dieser Tisch-Link gilt nicht (mehr) für einen offenen Workshop. Von diesem Gerät gehen daher nur "
        "{limit} Bedarfe in {minutes} Minuten, wie für eine Einzelperson. Bitte holen Sie bei der Moderation "
        "einen neuen Link.",
        "en": "This table link is not (or no longer) valid for an open workshop, so this device can send only "
        "{limit} needs in {minutes} minutes, like one person. Please ask the facilitator for a new link.",
    },
    # On /melden?workshop=CODE while the workshop's voting round is open (ui.widgets.voting_invitation).
    "report.voting_open": {
        "de": {"one": "Die Abstimmung hat begonnen: Sie haben {n} Punkt für die wichtigsten Bedarfe.",
               "other": "Die Abstimmung hat begonnen: Sie haben {n} Punkte für die wichtigsten Bedarfe."},
        "en": {"one": "Voting has started: you have {n} dot for the most important needs.",
               "other": "Voting has started: you have {n} dots for the most important needs."},
    },
    "report.voting_link": {"de": "Zur Abstimmung", "en": "Go to the vote"},
    "report.map_districts": {"de": "Bezirksgrenzen", "en": "District boundaries"},
    "report.map_selected": {"de": "Gewähltes Gebiet", "en": "Chosen area"},
    "report.map_nearby_areas": {"de": "Planungsräume in der Nähe", "en": "Planning areas nearby"},
    "report.pin": {"de": "Ihr Ort", "en": "Your place"},
    # The close button of a need's popup on the map (Leaflet's own label is English).
    "report.popup_close": {"de": "Schließen", "en": "Close"},
    # --- Planners' map /karte (keys "planner.*") ---
    "nav.planner": {"de": "Planungskarte", "en": "Planners' map"},
    "planner.title": {"de": "Planungskarte: Indikatoren und Bedarfe", "en": "Planners' map: indicators and needs"},
    "planner.choose_options": {"de": "Bitte auswählen", "en": "Choose options"},
    "planner.intro": {
        "de": "Wählen Sie Ebene, Indikator und Filter. Klicken Sie ein Gebiet an oder wählen Sie es aus "
        "der Liste, um alle Werte mit Quellen zu sehen. Die Ansicht steht in der Adresszeile und lässt "
        "sich als Lesezeichen speichern oder verschicken.",
        "en": "Choose level, indicator and filters. Click an area or pick it from the list to see all "
        "its values with sources. The view is kept in the address bar, so it can be bookmarked or sent.",
    },
    "planner.level": {"de": "LOR-Ebene", "en": "LOR level"},
    "planner.indicator": {"de": "Indikator", "en": "Indicator"},
    "planner.needs_per_1000": {"de": "Bedarfe je 1.000 Einwohner", "en": "Needs per 1,000 residents"},
    "planner.filters": {"de": "Filter für Bedarfe", "en": "Filters for needs"},
    "planner.categories": {"de": "Kategorien (leer = alle)", "en": "Categories (empty = all)"},
    "planner.period": {"de": "Zeitraum (von – bis)", "en": "Period (from – to)"},
    "planner.workshop": {"de": "Workshop-Zugangscode (leer = alle)", "en": "Workshop join code (empty = all)"},
    "planner.status_hint": {
        "de": "Gezeigt werden nur veröffentlichte Bedarfe. Ein Filter nach Status folgt für angemeldete Mitarbeitende.",
        "en": "Only published needs are shown. A status filter will follow for signed-in staff.",
    },
    "planner.needs_layer": {"de": "Bedarfe in der Karte", "en": "Needs on the map"},
    "planner.layer.points": {"de": "Punkte (gebündelt)", "en": "Points (clustered)"},
    "planner.layer.heat": {"de": "Wärmekarte", "en": "Heat map"},
    "planner.layer.off": {"de": "aus", "en": "off"},
    "planner.heat_legend": {"de": "Dichte der Bedarfe (Wärmekarte)", "en": "Density of needs (heat map)"},
    "planner.heat_low": {"de": "gering", "en": "low"},
    "planner.heat_high": {"de": "hoch", "en": "high"},
    "planner.facilities": {"de": "Einrichtungen einblenden", "en": "Show facilities"},
    "planner.needs_shown": {"de": "{n} Bedarfe entsprechen den Filtern.", "en": "{n} needs match the filters."},
    "planner.needs_shown_one": {"de": "1 Bedarf entspricht den Filtern.", "en": "1 need matches the filters."},
    "planner.map_label": {"de": "Karte: {indicator} je {level}", "en": "Map: {indicator} per {level}"},
    "planner.link_problem": {"de": "Link-Parameter korrigiert: {problem}", "en": "Link parameter corrected: {problem}"},
    "planner.focus": {"de": "Gebiet im Fokus (suchen oder in der Karte anklicken)", "en": "Area in focus (search or click on the map)"},
    "planner.focus_none": {"de": "— keines —", "en": "— none —"},
    "planner.focus_title": {"de": "{name} ({id})", "en": "{name} ({id})"},
    "planner.focus_indicators": {"de": "Alle Indikatoren im Vergleich zu Berlin", "en": "All indicators compared with Berlin"},
    "planner.focus_needs": {"de": "Bedarfe nach Kategorie", "en": "Needs by category"},
    "planner.focus_list": {"de": "Bedarfe in diesem Gebiet (neueste zuerst)", "en": "Needs in this area (newest first)"},
    "planner.focus_list_more": {"de": "Die ersten {n} von {total} Bedarfen.", "en": "The first {n} of {total} needs."},
    "planner.focus_no_needs": {"de": "Keine Bedarfe, die den Filtern entsprechen.", "en": "No needs match the filters."},
    "planner.compare": {"de": "Gebiete vergleichen (2 bis {max})", "en": "Compare areas (2 to {max})"},
    "planner.compare_hint": {"de": "Wählen Sie 2 bis {max} Gebiete.", "en": "Choose 2 to {max} areas."},
    "planner.compare_bezirk": {"de": "Alle {n} Gebiete von {bezirk} vergleichen",
                               "en": "Compare all {n} areas of {bezirk}"},
    "planner.bezirk": {"de": "Bezirk", "en": "Bezirk (district)"},
    "planner.bezirk_all": {"de": "— alle Bezirke —", "en": "— all Bezirke —"},
    "planner.bezirk_help": {
        "de": "Zeigt in Tabelle, Fokus, Vergleich und Export nur die Gebiete dieses Bezirks und zoomt die Karte "
              "auf ihn. Auf der Ebene Bezirke ohne Wirkung.",
        "en": "Shows only this Bezirk's areas in the table, focus, comparison and export, and zooms the map to it. "
              "No effect at the level of Bezirke.",
    },
    "planner.choose_option": {"de": "Bitte auswählen", "en": "Choose an option"},
    "planner.compare_indicators": {"de": "Indikatoren im Vergleich", "en": "Indicators to compare"},
    "planner.table": {"de": "Tabelle der aktuellen Ansicht (ohne Karte)", "en": "Table of the current view (no map needed)"},
    "planner.export": {"de": "Export der aktuellen Ansicht", "en": "Export of the current view"},
    "planner.export_csv": {"de": "Tabelle als CSV", "en": "Table as CSV"},
    "planner.export_xlsx": {"de": "Tabelle als Excel-Datei (.xlsx)", "en": "Table as Excel workbook (.xlsx)"},
    "planner.export_needs_csv": {"de": "Bedarfe als Punkte (CSV)", "en": "Needs as points (CSV)"},
    "planner.export_needs_geojson": {"de": "Bedarfe als Punkte (GeoJSON)", "en": "Needs as points (GeoJSON)"},
    "planner.export_needs_note": {
        "de": "Nur für Mitarbeitende: jeder Bedarf, der den Filtern entspricht, mit Lage, Text, Status und "
              "LOR-Schlüsseln. Zellen, die mit = + - @ beginnen, sind mit ' entschärft.",
        "en": "Staff only: every need that matches the filters, with its place, text, status and LOR keys. "
              "Cells that begin with = + - @ carry a leading ' so that spreadsheets never run them.",
    },
    "planner.xlsx_table": {"de": "Tabelle", "en": "Table"},
    "planner.xlsx_sources": {"de": "Quellen", "en": "Sources"},
    "planner.sources_needs": {"de": "Bedarfe von Bewohnerinnen und Bewohnern", "en": "Residents' needs"},
    "planner.sources_needs_licence": {"de": "keine festgelegt (Betreiber der App fragen)",
                                      "en": "none set (ask the app's operator)"},
    "planner.sources_col.dataset": {"de": "Datensatz", "en": "Dataset"},
    "planner.sources_col.publisher": {"de": "Herausgeber", "en": "Publisher"},
    "planner.sources_col.date": {"de": "Stand", "en": "Reference date"},
    "planner.sources_col.licence": {"de": "Lizenz", "en": "Licence"},
    "planner.sources_col.attribution": {"de": "Namensnennung", "en": "Attribution"},
    "planner.sources_col.url": {"de": "Quelle (URL)", "en": "Source (URL)"},
    "planner.export_geojson": {"de": "Gebiete als GeoJSON", "en": "Areas as GeoJSON"},
    "planner.export_gpkg": {"de": "Gebiete als GeoPackage", "en": "Areas as GeoPackage"},
    "planner.export_html": {"de": "Karte als HTML-Datei", "en": "Map as HTML file"},
    "planner.export_png": {"de": "Karte als PNG-Bild", "en": "Map as PNG image"},
    "planner.png_subtitle": {
        "de": "{level} · Ausschnitt der Karte vom {date} · Bedarfsatlas Berlin",
        "en": "{level} · map view of {date} · Bedarfsatlas Berlin",
    },
    "planner.png_heat_as_points": {"de": "Bedarfe hier als Punkte (in der Karte als Wärmekarte)",
                                   "en": "Needs shown as points here (as a heat map in the web map)"},
    "planner.png_needs_aggregated": {"de": "Bedarfe je Planungsraum (Kreisfläche ~ Anzahl)",
                                     "en": "Needs per planning area (circle area ~ count)"},
    "planner.export_note": {
        "de": "Die CSV-Datei ist für Programme (Komma, Dezimalpunkt, erste Zeile = Spaltennamen); für "
        "Excel und andere Tabellenprogramme die Excel-Datei nehmen, die auch die Quellen enthält. "
        "GeoJSON und GeoPackage enthalten die vereinfachte Anzeigegeometrie (etwa 60 m genau), nicht "
        "die amtlichen Grenzen. Die HTML-Karte enthält Leaflet und läuft ohne Server und ohne Internet. "
        "Das PNG-Bild zeigt den aktuellen Kartenausschnitt mit Legende und Quellen.",
        "en": "The CSV file is for programs (commas, decimal points, first line = column names); for "
        "Excel and other spreadsheets take the workbook, which also lists the sources. "
        "GeoJSON and GeoPackage hold the simplified display geometry (about 60 m), not the official "
        "boundaries. The HTML map includes Leaflet and works without a server and without internet. "
        "The PNG image shows the current map view with legend and sources.",
    },
    "planner.sources": {"de": "Quellen dieser Ansicht", "en": "Sources of this view"},
    "planner.all_categories": {"de": "Alle Kategorien", "en": "All categories"},
    "planner.col.indicator": {"de": "Indikator", "en": "Indicator"},
    "planner.col.area_value": {"de": "Wert im Gebiet", "en": "Value in the area"},
    "planner.col.berlin": {"de": "Berlin", "en": "Berlin"},
    "planner.col.source": {"de": "Quelle (Stand, Lizenz)", "en": "Source (date, licence)"},
    "planner.col.category": {"de": "Kategorie", "en": "Category"},
    "planner.col.needs": {"de": "Bedarfe", "en": "Needs"},
    "planner.col.per_1000": {"de": "je 1.000 Einwohner", "en": "per 1,000 residents"},
    "planner.col.berlin_per_1000": {"de": "Berlin je 1.000 Einwohner", "en": "Berlin per 1,000 residents"},
    "planner.col.date": {"de": "Datum", "en": "Date"},
    "planner.col.title": {"de": "Titel", "en": "Title"},
    "planner.col.reference": {"de": "Kennung", "en": "Reference"},
    "planner.col.supports": {"de": "Unterstützungen", "en": "Supports"},
    "planner.map.needs": {"de": "Bedarf", "en": "Need"},
    "planner.map.needs_in_area": {"de": "Bedarfe im Planungsraum", "en": "Needs in the planning area"},
    "planner.map.facility": {"de": "Einrichtung", "en": "Facility"},
    # --- Assessment page /bewertung (keys "assess.*") ---
    "assess.nav": {"de": "Bewertung", "en": "Assessment"},
    "assess.title": {"de": "Bewertung: Prioritätsindex je Gebiet", "en": "Assessment: priority index per area"},
    "assess.intro": {
        "de": "Amtliche Indikatoren und Bedarfe der Bewohnerinnen und Bewohner, gewichtet zu einem Index je "
              "Gebiet. Beginnen Sie mit einer Voreinstellung und ändern Sie Gewichte und Richtungen; jede "
              "Punktzahl wird erklärt, die Robustheit geprüft.",
        "en": "Official indicators and residents' needs, weighted into an index per area. Start from a preset "
              "and change weights and directions; every score is explained and its robustness checked.",
    },
    "assess.level": {"de": "LOR-Ebene", "en": "LOR level"},
    "assess.preset": {"de": "Voreinstellung", "en": "Preset"},
    "assess.preset_at_level": {"de": "Auf der Ebene {level}: {components}.",
                               "en": "At the level {level}: {components}."},
    "assess.preset_dropped": {
        "de": "Nur für Planungsräume veröffentlicht und daher hier nicht enthalten: {indicators}.",
        "en": "Published for planning areas only and therefore left out here: {indicators}.",
    },
    "assess.note_replaced": {
        "de": "{indicator}: ersetzt durch {share} (Klassenindikator, nur für Planungsräume).",
        "en": "{indicator}: replaced by {share} (class indicator, planning areas only).",
    },
    "assess.note_dropped": {
        "de": "{indicator}: entfällt (nur für Planungsräume veröffentlicht, nicht aggregierbar).",
        "en": "{indicator}: left out (published for planning areas only, cannot be aggregated).",
    },
    "assess.carried": {
        "de": "Ihre Gewichtung gilt weiter, jetzt für die {level}.",
        "en": "Your weights still apply, now to the {level}.",
    },
    "assess.carried_dropped": {
        "de": "Auf dieser Ebene nicht vorhanden und daher entfernt: {indicators}.",
        "en": "Not available at this level and therefore removed: {indicators}.",
    },
    "assess.preset_changed": {
        "de": "Eigene Gewichtung (ausgehend von „{preset}“): Bericht und Prüfsumme nennen sie „eigene Auswahl“.",
        "en": "Own weights (starting from “{preset}”): the report and its checksum call it “own selection”.",
    },
    "assess.method": {"de": "Normierung", "en": "Normalisation"},
    "assess.method.rank": {"de": "Perzentilrang (nur die Reihenfolge zählt)", "en": "Percentile rank (only the order counts)"},
    "assess.method.zscore": {"de": "z-Wert (Abstände zählen)", "en": "z-score (distances count)"},
    "assess.method.minmax": {"de": "Min-Max (0 bis 100)", "en": "Min-max (0 to 100)"},
    "assess.indicators": {"de": "Indikatoren, Gewichte und Richtung", "en": "Indicators, weights and direction"},
    "assess.more_need": {"de": "höher = mehr Bedarf", "en": "higher = more need"},
    "assess.less_need": {"de": "höher = weniger Bedarf", "en": "higher = less need"},
    "assess.weight": {"de": "Gewicht: {indicator}", "en": "Weight: {indicator}"},
    "assess.direction": {"de": "Richtung: {indicator}", "en": "Direction: {indicator}"},
    # The remove button shows only "✕": this is its accessible name (and its tooltip).
    "assess.remove": {"de": "Indikator „{indicator}“ entfernen", "en": "Remove the indicator “{indicator}”"},
    "assess.add": {"de": "Indikator hinzufügen", "en": "Add an indicator"},
    "assess.add_placeholder": {"de": "Indikator oder Bedarfsrate wählen", "en": "Choose an indicator or needs rate"},
    "assess.add_button": {"de": "Hinzufügen", "en": "Add"},
    "assess.all_zero": {"de": "Alle Gewichte sind 0: geben Sie mindestens einem Indikator ein Gewicht.",
                        "en": "All weights are 0: give at least one indicator a weight."},
    "assess.method_words": {"de": "Methode in Worten", "en": "Method in words"},
    "assess.flag.too_few": {"de": "zu wenige Daten", "en": "too few"},
    "assess.flag.incomplete": {"de": "unvollständig", "en": "incomplete"},
    "assess.flag.not_robust": {"de": "Rang nicht robust", "en": "rank not robust"},
    "assess.needs_source": {"de": "Bedarfe: Bedarfsatlas Berlin (veröffentlichte Meldungen)",
                            "en": "Needs: Bedarfsatlas Berlin (published submissions)"},
    "assess.map": {"de": "Prioritätsindex der {level}", "en": "Priority index of the {level}"},
    "assess.score": {"de": "Punktzahl", "en": "Score"},
    "assess.ranking": {"de": "Rangliste", "en": "Ranking"},
    "assess.col.rank": {"de": "Rang", "en": "Rank"},
    "assess.col.interval": {"de": "Rangintervall", "en": "Rank interval"},
    "assess.col.note": {"de": "Hinweis", "en": "Note"},
    "assess.col.burden": {"de": "Mehrfachbelastung", "en": "Multiple burden"},
    "assess.col.hotspot": {"de": "Hotspot", "en": "Hotspot"},
    "assess.col.outreach": {"de": "Beteiligung", "en": "Participation"},
    "assess.col.needs": {"de": "Bedarfe", "en": "Needs"},
    "assess.col.expected": {"de": "erwartet", "en": "expected"},
    "assess.col.mss_low": {"de": "Anteil MSS niedrig (%)", "en": "Share MSS low (%)"},
    "assess.hotspot.hot": {"de": "Hotspot", "en": "hotspot"},
    "assess.hotspot.cold": {"de": "Coldspot", "en": "coldspot"},
    "assess.hotspot.high_low": {"de": "hoch inmitten niedriger Werte", "en": "high among low values"},
    "assess.hotspot.low_high": {"de": "niedrig inmitten hoher Werte", "en": "low among high values"},
    "assess.hotspot.not_significant": {"de": "nicht signifikant", "en": "not significant"},
    "assess.hotspot.no_value": {"de": "kein Wert", "en": "no value"},
    "assess.sources": {"de": "Quellen", "en": "Sources"},
    "assess.explain": {"de": "Erklärung eines Gebiets", "en": "Explanation of one area"},
    "assess.area": {"de": "Gebiet", "en": "Area"},
    "assess.contribution": {"de": "Beitrag zur Punktzahl", "en": "Contribution to the score"},
    "assess.explain_table": {
        "de": "Punktzahl von {area} je Indikator: Wert, normierter Wert, Richtung, Gewicht und Beitrag",
        "en": "Score of {area} per indicator: value, normalised value, direction, weight and contribution",
    },
    "assess.col.indicator": {"de": "Indikator", "en": "Indicator"},
    "assess.col.direction": {"de": "Richtung", "en": "Direction"},
    "assess.col.weight": {"de": "Gewicht", "en": "Weight"},
    "assess.col.weight_share": {"de": "Anteil am Gewicht", "en": "Share of the weights"},
    "assess.col.normalised.rank": {"de": "Perzentilrang (0–100)", "en": "Percentile rank (0–100)"},
    "assess.col.normalised.zscore": {"de": "z-Wert", "en": "z-score"},
    "assess.col.normalised.minmax": {"de": "Min-Max-Wert (0–100)", "en": "Min-max value (0–100)"},
    "assess.unit.needs_rate": {"de": "je 1.000 Einwohner", "en": "per 1,000 residents"},
    "assess.explain_how": {
        "de": "So entsteht die Punktzahl: Jeder Wert wird so ausgerichtet, dass höher = mehr Bedarf gilt, und "
        "unter den bewerteten Gebieten normiert (Spalte „{normalised}“). Beitrag = Anteil am Gewicht × "
        "normierter Wert; der Anteil ist das Gewicht geteilt durch die Summe der Gewichte der Indikatoren, die "
        "hier einen Wert haben.",
        "en": "How the score comes about: each value is oriented so that higher = more need, and normalised "
        "among the assessed areas (column “{normalised}”). Contribution = share of the weights × normalised "
        "value; the share is the weight divided by the sum of the weights of the indicators that have a value "
        "here.",
    },
    "assess.explain_missing": {
        "de": "Ohne Wert in diesem Gebiet und daher ohne Beitrag: {indicators}.",
        "en": "Without a value in this area, so without a contribution: {indicators}.",
    },
    "assess.explain_sum": {"de": "Die Beiträge ergeben zusammen die Punktzahl: {terms} = {score}.",
                           "en": "The contributions add up to the score: {terms} = {score}."},
    "assess.explain_rounded": {
        "de": "Die gerundeten Beiträge weichen in der Summe um {difference} ab; ungerundet ergeben sie die "
        "Punktzahl genau.",
        "en": "The rounded contributions differ from the score by {difference}; unrounded, they add up to it "
        "exactly.",
    },
    "assess.explain_too_few": {"de": "Dieses Gebiet wird nicht bewertet (zu wenige Daten).",
                               "en": "This area is not assessed (too few data)."},
    "assess.hotspots": {"de": "Hotspots", "en": "Hotspots"},
    "assess.unheard": {"de": "Ungehörte Gebiete", "en": "Unheard areas"},
    "assess.unheard_none": {"de": "Keine ungehörten Gebiete (oder noch keine veröffentlichten Bedarfe).",
                            "en": "No unheard areas (or no published needs yet)."},
    "assess.outreach.unheard_low_status": {"de": "ungehört, niedriger Status", "en": "unheard, low status"},
    "assess.outreach.unheard": {"de": "ungehört", "en": "unheard"},
    "assess.outreach.heard": {"de": "gehört", "en": "heard"},
    "assess.outreach.too_few": {"de": "zu wenige Daten", "en": "too few"},
    "assess.goals": {"de": "Ziele", "en": "Goals"},
    "assess.goal.title": {"de": "Titel des Ziels", "en": "Title of the goal"},
    "assess.goal.field": {"de": "Handlungsfeld", "en": "Field of action"},
    "assess.goal.areas": {"de": "Gebiete", "en": "Areas"},
    "assess.goal.needs": {"de": "Verknüpfte Bedarfe (des gewählten Gebiets)", "en": "Linked needs (of the chosen area)"},
    "assess.goal.indicators": {"de": "Indikatoren als Beleg", "en": "Indicators as evidence"},
    "assess.goal.create": {"de": "Ziel anlegen", "en": "Create goal"},
    "assess.goal.created": {"de": "Ziel gespeichert.", "en": "Goal saved."},
    "assess.goal.none": {"de": "Noch keine Ziele auf dieser Ebene.", "en": "No goals at this level yet."},
    "assess.report": {"de": "Bericht", "en": "Report"},
    "assess.report_intro": {
        "de": "„Integrierte räumliche Bestandsaufnahme und Bedarfsanalyse“ mit den aktuellen Einstellungen: "
              "Karten, Rangliste, Methode, Robustheit, Hotspots, ungehörte Gebiete, Ziele und Quellen.",
        "en": "\"Integrated spatial inventory and needs analysis\" with the current settings: maps, ranking, "
              "method, robustness, hotspots, unheard areas, goals and sources.",
    },
    "assess.download_html": {"de": "Bericht als HTML herunterladen", "en": "Download the report as HTML"},
    "assess.download_pdf": {"de": "Bericht als PDF herunterladen", "en": "Download the report as PDF"},
    "assess.goal.signin": {
        "de": "Ziele anlegen können Planerinnen und Planer nach der Anmeldung (Seite „Anmelden (Mitarbeitende)“).",
        "en": "Planners can create goals after signing in (page “Sign in (staff)”).",
    },
    # --- Moderation, sign-in, privacy (keys "moderation.*", "auth.*", "privacy.*") ---
    "auth.nav_signin": {"de": "Anmelden (Mitarbeitende)", "en": "Sign in (staff)"},
    "auth.nav_account": {"de": "Konto", "en": "Account"},
    "auth.title": {"de": "Anmeldung für Mitarbeitende", "en": "Sign-in for staff"},
    "auth.residents": {
        "de": "Bürgerinnen und Bürger brauchen keine Anmeldung: Bedarfe melden und die Karte ansehen geht ohne.",
        "en": "Residents need no sign-in: reporting needs and viewing the map work without one.",
    },
    "auth.needed": {
        "de": "Diese Seite ist nur für angemeldete Mitarbeitende mit der Rolle {roles}. Bitte melden Sie sich an.",
        "en": "This page is for signed-in staff with the role {roles} only. Please sign in.",
    },
    "auth.no_role": {
        "de": "Ihr Konto hat keine Rolle für diese Seite ({roles}). Bitte wenden Sie sich an die Administration.",
        "en": "Your account has no role for this page ({roles}). Please ask the administrators.",
    },
    "auth.name": {"de": "Benutzername", "en": "Account name"},
    "auth.password": {"de": "Passwort", "en": "Password"},
    "auth.submit": {"de": "Anmelden", "en": "Sign in"},
    "auth.failed": {"de": "Benutzername oder Passwort stimmt nicht. Bitte prüfen Sie beide Felder "
                          "(Groß- und Kleinschreibung zählt).",
                    "en": "User name or password is wrong. Please check both fields (upper and lower case count)."},
    "auth.throttled": {
        "de": "Zu viele fehlgeschlagene Anmeldungen für diese Kennung. Bitte versuchen Sie es in {minutes} Minuten erneut.",
        "en": "Too many failed sign-ins for this account name. Please try again in {minutes} minutes.",
    },
    "auth.oidc": {"de": "Mit dem Dienstkonto anmelden (Single Sign-on)", "en": "Sign in with your work account (single sign-on)"},
    "auth.none_configured": {
        "de": "Auf diesem Server ist keine Anmeldung eingerichtet (siehe README, Abschnitt Anmeldung).",
        "en": "No sign-in is configured on this server (see the README, section on sign-in).",
    },
    # Single sign-on set up wrongly (assessment.participation.oidc_setup): what is missing, and the fix.
    "auth.setup.title": {
        "de": "Die Anmeldung mit dem Dienstkonto (Single Sign-on) ist auf diesem Server nicht richtig "
              "eingerichtet. Bitte geben Sie diese Hinweise an den Betrieb weiter (Datei "
              "`.streamlit/secrets.toml`, Vorlage `.streamlit/secrets.example.toml`):",
        "en": "Single sign-on is not set up correctly on this server. Please pass these notes on to the "
              "operators (file `.streamlit/secrets.toml`, template `.streamlit/secrets.example.toml`):",
    },
    "auth.setup.no_auth": {
        "de": "`[bedarfsatlas.oidc]` ordnet Rollen zu, aber der Abschnitt `[auth]` fehlt, also ist Single "
              "Sign-on aus. Ergänzen Sie `[auth]` mit `redirect_uri`, `cookie_secret`, `client_id`, "
              "`client_secret` und `server_metadata_url`.",
        "en": "`[bedarfsatlas.oidc]` assigns roles, but there is no `[auth]` section, so single sign-on is off. "
              "Add `[auth]` with `redirect_uri`, `cookie_secret`, `client_id`, `client_secret` and "
              "`server_metadata_url`.",
    },
    "auth.setup.not_a_table": {
        "de": "`auth` muss ein Abschnitt sein (`[auth]` mit `redirect_uri`, `cookie_secret`, `client_id`, "
              "`client_secret` und `server_metadata_url` darunter), kein einzelner Wert.",
        "en": "`auth` must be a section (`[auth]` followed by `redirect_uri`, `cookie_secret`, `client_id`, "
              "`client_secret` and `server_metadata_url`), not a single value.",
    },
    "auth.setup.authlib": {
        "de": "Auf dem Server fehlt Authlib ab Version {minimum} (gefunden: {found}), ohne das Streamlit nicht "
              "anmelden kann. Installieren Sie die App neu mit `pip install -e .`: Das bringt "
              "`streamlit[auth]` mit Authlib.",
        "en": "The server lacks Authlib {minimum} or newer (found: {found}), which Streamlit needs to sign "
              "anyone in. Install the app again with `pip install -e .`: that brings `streamlit[auth]` with Authlib.",
    },
    "auth.setup.missing": {
        "de": "In `[auth]` fehlt `{name}`: {what}.",
        "en": "`[auth]` has no `{name}`: {what}.",
    },
    "auth.setup.key.redirect_uri": {
        "de": "die volle Adresse der App mit `/oauth2callback` am Ende, z. B. "
              "`https://bedarfsatlas.example.berlin/oauth2callback`; beim Anbieter als erlaubte "
              "Weiterleitung eintragen",
        "en": "the app's full address followed by `/oauth2callback`, e.g. "
              "`https://bedarfsatlas.example.berlin/oauth2callback`; register it at the provider as an allowed redirect",
    },
    "auth.setup.key.cookie_secret": {
        "de": "ein langes Zufallsgeheimnis, das das Anmelde-Cookie signiert, z. B. die Ausgabe von "
              "`python -c \"import secrets; print(secrets.token_urlsafe(32))\"`",
        "en": "a long random secret that signs the sign-in cookie, e.g. the output of "
              "`python -c \"import secrets; print(secrets.token_urlsafe(32))\"`",
    },
    "auth.setup.key.client_id": {
        "de": "die Kennung, die der Anbieter (z. B. Keycloak) für diese App vergeben hat",
        "en": "the id the provider (e.g. Keycloak) gave this app",
    },
    "auth.setup.key.client_secret": {
        "de": "das Geheimnis, das der Anbieter für diese App vergeben hat",
        "en": "the secret the provider gave this app",
    },
    "auth.setup.key.server_metadata_url": {
        "de": "die Discovery-Adresse des Anbieters, sie endet meist auf `/.well-known/openid-configuration`",
        "en": "the provider's discovery address, usually ending in `/.well-known/openid-configuration`",
    },
    "auth.setup.redirect_uri": {
        "de": "`redirect_uri` ist „{value}“, muss aber die volle Adresse der App mit `/oauth2callback` am Ende "
              "sein (mit `http://` oder `https://`), z. B. `https://bedarfsatlas.example.berlin/oauth2callback`.",
        "en": "`redirect_uri` is \"{value}\" but must be the app's full address followed by `/oauth2callback` "
              "(with `http://` or `https://`), e.g. `https://bedarfsatlas.example.berlin/oauth2callback`.",
    },
    "auth.setup.metadata_url": {
        "de": "`server_metadata_url` ist „{value}“, keine volle Adresse mit `http://` oder `https://`; "
              "gemeint ist {what}.",
        "en": "`server_metadata_url` is \"{value}\", not a full address with `http://` or `https://`; "
              "it should be {what}.",
    },
    "auth.setup.cookie_secret_short": {
        "de": "`cookie_secret` ist kürzer als {n} Zeichen: Es ließe sich erraten und damit jede Anmeldung "
              "fälschen. Erzeugen Sie ein neues, z. B. mit "
              "`python -c \"import secrets; print(secrets.token_urlsafe(32))\"`.",
        "en": "`cookie_secret` is shorter than {n} characters: it could be guessed, and with it any sign-in "
              "forged. Make a new one, e.g. with `python -c \"import secrets; print(secrets.token_urlsafe(32))\"`.",
    },
    "auth.setup.roles": {
        "de": "Die Rollenzuordnung `[bedarfsatlas.oidc]` ist fehlerhaft, deshalb bekommt über Single Sign-on "
              "niemand eine Rolle: {detail}",
        "en": "The role mapping `[bedarfsatlas.oidc]` is malformed, so nobody gets a role through single "
              "sign-on: {detail}",
    },
    "auth.setup.no_roles": {
        "de": "Über Single Sign-on bekommt niemand eine Rolle: `[bedarfsatlas.oidc]` nennt weder `role_claim` "
              "noch `emails` oder `subjects`. Wer sich so anmeldet, nutzt die App wie Bürgerinnen und Bürger.",
        "en": "Nobody gets a role through single sign-on: `[bedarfsatlas.oidc]` names no `role_claim`, "
              "`emails` or `subjects`. Whoever signs in that way uses the app like a resident.",
    },
    "auth.accounts_broken": {
        "de": "Die eingebauten Konten in den Secrets sind fehlerhaft, deshalb ist die Anmeldung mit Passwort "
              "aus. Bitte geben Sie diesen Hinweis an den Betrieb weiter: {detail}",
        "en": "The built-in accounts in the secrets are malformed, so signing in with a password is off. "
              "Please pass this note on to the operators: {detail}",
    },
    # Why a signed-in tab lost its sign-in (auth.ENDED_REASONS), shown above the page.
    "auth.ended.expired": {
        "de": "Ihre Anmeldung ist abgelaufen, deshalb sind Sie abgemeldet. Bitte melden Sie sich erneut an.",
        "en": "Your sign-in has expired, so you are signed out. Please sign in again.",
    },
    "auth.ended.changed": {
        "de": "Ihre Anmeldung gilt nicht mehr, weil Ihr Konto geändert oder entfernt wurde (Passwort oder "
              "Rollen). Bitte melden Sie sich erneut an oder wenden Sie sich an die Administration.",
        "en": "Your sign-in is no longer valid because your account was changed or removed (password or roles). "
              "Please sign in again or ask the administrators.",
    },
    "auth.ended.ended": {
        "de": "Ihre Anmeldung wurde beendet, zum Beispiel durch Abmelden in einem anderen Tab. Bitte melden Sie "
              "sich erneut an, um weiterzuarbeiten.",
        "en": "Your sign-in was ended, for example by signing out in another tab. Please sign in again to go on.",
    },
    "auth.ended.signed_out": {
        "de": "Ihre Anmeldung über Single Sign-on ist beendet. Bitte melden Sie sich erneut an.",
        "en": "Your single sign-on session has ended. Please sign in again.",
    },
    "auth.oidc_no_role": {
        "de": "Sie sind über Single Sign-on als {name} angemeldet, aber dieses Konto hat keine Rolle für "
              "Mitarbeitende. Bitte wenden Sie sich an die Administration, oder melden Sie sich ab, um ein "
              "anderes Konto zu nutzen.",
        "en": "You are signed in through single sign-on as {name}, but this account has no staff role. Please ask "
              "the administrators, or sign out to use another account.",
    },
    "auth.signed_in": {"de": "Angemeldet als {name} (Rollen: {roles})", "en": "Signed in as {name} (roles: {roles})"},
    "auth.signout": {"de": "Abmelden", "en": "Sign out"},
    "auth.kept": {
        "de": {"one": "Sie bleiben in diesem Browser {n} Stunde lang angemeldet, auch wenn Sie die Seite neu laden "
                      "oder einen neuen Tab öffnen. Bitte melden Sie sich an einem gemeinsam genutzten Gerät ab.",
               "other": "Sie bleiben in diesem Browser {n} Stunden lang angemeldet, auch wenn Sie die Seite neu "
                        "laden oder einen neuen Tab öffnen. Bitte melden Sie sich an einem gemeinsam genutzten "
                        "Gerät ab."},
        "en": {"one": "You stay signed in in this browser for {n} hour, also when you reload the page or open a new "
                      "tab. Please sign out on a shared device.",
               "other": "You stay signed in in this browser for {n} hours, also when you reload the page or open a "
                        "new tab. Please sign out on a shared device."},
    },
    "auth.role.moderator": {"de": "Moderation", "en": "moderator"},
    "auth.role.facilitator": {"de": "Workshop-Leitung", "en": "facilitator"},
    "auth.role.planner": {"de": "Planung", "en": "planner"},
    "auth.role.admin": {"de": "Administration", "en": "admin"},
    "auth.role.resident": {"de": "Bürgerin/Bürger", "en": "resident"},
    "moderation.nav": {"de": "Moderation", "en": "Moderation"},
    "moderation.title": {"de": "Moderation: neue und gemeldete Bedarfe", "en": "Moderation: new and reported needs"},
    "moderation.intro": {
        "de": "Von Bürgerinnen und Bürgern gemeldete Bedarfe zuerst (die meisten Meldungen oben), dann die "
              "ältesten. Geben Sie frei, lehnen Sie mit einem Grund ab, entfernen Sie personenbezogene "
              "Angaben oder führen Sie Doppelte zusammen. Jede Entscheidung steht im Prüfprotokoll.",
        "en": "Needs reported by residents first (most reports at the top), then the oldest. Approve, reject "
              "with a reason, remove personal data or merge duplicates. Every decision goes into the audit log.",
    },
    "moderation.workshop": {"de": "Nur Workshop (Code)", "en": "Only workshop (code)"},
    "moderation.count": {
        "de": {"one": "{n} Bedarf wartet auf eine Entscheidung.", "other": "{n} Bedarfe warten auf eine Entscheidung."},
        "en": {"one": "{n} need is waiting for a decision.", "other": "{n} needs are waiting for a decision."},
    },
    "moderation.empty": {"de": "Nichts zu tun: keine Bedarfe warten.", "en": "Nothing to do: no needs are waiting."},
    "moderation.empty_workshop": {
        "de": "Für den Workshop-Code „{code}“ wartet nichts. Stimmt der Code? Er steht auf der Seite „Workshop leiten“; "
              "ein leeres Feld zeigt alle wartenden Bedarfe.",
        "en": "Nothing waits for the workshop code “{code}”. Is the code right? It is on the page “Run a workshop”; "
              "an empty field shows every waiting need.",
    },
    "moderation.shown": {"de": "Die ersten {n} werden unten zur Entscheidung gezeigt.",
                         "en": "The first {n} are shown below for a decision."},
    "moderation.area": {"de": "Gebiet", "en": "Area"},
    "moderation.number": {"de": "Nr.", "en": "No."},
    "moderation.map_legend": {
        "de": "Die Karte zeigt die Bedarfe dieser Seite mit ihren Nummern aus der Liste. Runde Marke: ein Punkt, "
              "auf der Karte gesetzt, mit dem Umriss seines Planungsraums. Eckige Marke in gestrichelter Fläche: "
              "nur das Gebiet wurde angegeben, kein Ort darin. Ein Klick auf eine Marke öffnet den Bedarf in der "
              "Liste; der geöffnete Bedarf ist auf der Karte blau hervorgehoben.",
        "en": "The map shows the needs on this page with their numbers from the list. Round marker: a point set "
              "on the map, with the outline of its planning area. Square marker in a dashed area: only the area "
              "was given, no place in it. Clicking a marker opens the need in the list; the open need is "
              "highlighted in blue on the map.",
    },
    "moderation.no_point": {"de": "kein Punkt, nur das Gebiet", "en": "no point, only the area"},
    "moderation.map_shown": {"de": "Die Karte zeigt die Bedarfe 1 bis {n}.", "en": "The map shows needs 1 to {n}."},
    "moderation.map_by_area": {"de": "Nur als Gebiet angegeben – {area}", "en": "Located by area only – {area}"},
    "moderation.map_marker": {"de": "Bedarf {n}", "en": "Need {n}"},
    "moderation.map_marker_by_area": {"de": "Bedarf {n}, nur als Gebiet angegeben",
                                      "en": "Need {n}, located by area only"},
    "moderation.map_districts": {"de": "Bezirke", "en": "Districts"},
    "moderation.map_areas": {"de": "Gebiete der Bedarfe", "en": "Areas of the needs"},
    "moderation.map_needs": {"de": "Bedarfe dieser Seite", "en": "Needs on this page"},
    "moderation.position": {"de": "Position", "en": "Position"},
    # Over a need with residents' reports; it may be hidden by them, or still published (approved before).
    "moderation.reports": {
        "de": {"one": "Von Bürgerinnen und Bürgern gemeldet: {n}-mal. „Freigeben“ behält oder macht den Bedarf "
                      "öffentlich und erledigt die Meldung; danach blenden Meldungen ihn nicht mehr von selbst aus.",
               "other": "Von Bürgerinnen und Bürgern gemeldet: {n}-mal. „Freigeben“ behält oder macht den Bedarf "
                        "öffentlich und erledigt die Meldungen; danach blenden Meldungen ihn nicht mehr von selbst "
                        "aus."},
        "en": {"one": "Reported by residents: {n} time. “Approve” keeps or makes the need public and settles the "
                      "report; after that, reports no longer hide it by themselves.",
               "other": "Reported by residents: {n} times. “Approve” keeps or makes the need public and settles "
                        "the reports; after that, reports no longer hide it by themselves."},
    },
    "moderation.approve": {"de": "Freigeben", "en": "Approve"},
    "moderation.reason": {"de": "Grund der Ablehnung", "en": "Reason for rejection"},
    "moderation.reject": {"de": "Ablehnen", "en": "Reject"},
    "moderation.reason_placeholder": {"de": "Bitte Grund auswählen", "en": "Please choose a reason"},
    "moderation.reason_missing": {
        "de": "Nicht abgelehnt: Bitte wählen Sie zuerst im Feld „Grund der Ablehnung“ einen Grund aus.",
        "en": "Not rejected: please first choose a reason in the field “Reason for rejection”.",
    },
    "moderation.sent": {"de": "Eingang", "en": "Sent"},
    "moderation.topic": {"de": "Thema", "en": "Topic"},
    "moderation.edit": {"de": "Text bearbeiten (personenbezogene Daten entfernen)",
                        "en": "Edit the text (remove personal data)"},
    "moderation.edit_title": {"de": "Titel", "en": "Title"},
    "moderation.edit_description": {"de": "Beschreibung", "en": "Description"},
    "moderation.save": {"de": "Änderung speichern", "en": "Save the change"},
    "moderation.merge_into": {"de": "Doppelt zu (Bedarf im selben Planungsraum)",
                              "en": "Duplicate of (a need in the same planning area)"},
    "moderation.merge": {"de": "Zusammenführen", "en": "Merge"},
    "moderation.no_merge_target": {"de": "Kein anderer Bedarf im selben Planungsraum.",
                                   "en": "No other need in the same planning area."},
    "moderation.bulk": {"de": "Alle {n} Bedarfe dieses Workshops", "en": "All {n} needs of this workshop"},
    "moderation.bulk_approve": {"de": "Alle freigeben", "en": "Approve all"},
    "moderation.bulk_reject": {"de": "Alle ablehnen", "en": "Reject all"},
    "moderation.done": {"de": "Gespeichert: {reference} ist jetzt {status}.", "en": "Saved: {reference} is now {status}."},
    "moderation.done_bulk": {"de": "Gespeichert: {n} Bedarfe.", "en": "Saved: {n} needs."},
    "moderation.done_edit": {"de": "Gespeichert: Text von {reference} geändert (Status: {status}); der alte Text steht "
                                   "nur noch im Prüfprotokoll.",
                             "en": "Saved: text of {reference} changed (status: {status}); the old text is kept in the "
                                   "audit log only."},
    "moderation.done_merge": {"de": "Gespeichert: {merged} mit {reference} zusammengeführt; die Unterstützungen zählen "
                                    "jetzt bei {reference}.",
                              "en": "Saved: {merged} merged into {reference}; its supports now count for {reference}."},
    "moderation.merge_missing": {"de": "Nicht zusammengeführt: Bitte wählen Sie zuerst im Feld „Doppelt zu“ den Bedarf, "
                                       "der bleiben soll.",
                                 "en": "Not merged: please first choose, in the field “Duplicate of”, the need to keep."},
    "moderation.merge_choose": {"de": "Bedarf wählen, der bleibt", "en": "Choose the need to keep"},
    "moderation.col.reference": {"de": "Kennung", "en": "Reference"},
    "moderation.col.title": {"de": "Titel", "en": "Title"},
    "moderation.col.reports": {"de": "Meldungen", "en": "Reports"},
    "moderation.stale": {"de": "Nicht gespeichert: {error}", "en": "Not saved: {error}"},
    "moderation.status_filter": {"de": "Status (nur für Moderation)", "en": "Status (moderators only)"},
    "moderation.status.pending": {"de": "wartet", "en": "pending"},
    "moderation.status.published": {"de": "veröffentlicht", "en": "published"},
    "moderation.status.rejected": {"de": "abgelehnt", "en": "rejected"},
    "moderation.status.hidden": {"de": "ausgeblendet", "en": "hidden"},
    "moderation.status.merged": {"de": "zusammengeführt", "en": "merged"},
    "moderation.audit_nav": {"de": "Prüfprotokoll", "en": "Audit log"},
    "moderation.audit_title": {"de": "Prüfprotokoll", "en": "Audit log"},
    "moderation.audit_intro": {
        "de": "Jede Statusänderung und Bearbeitung: wer, wann, was, warum. Neueste zuerst.",
        "en": "Every status change and edit: who, when, what, why. Newest first.",
    },
    "moderation.audit_filter": {"de": "Nur Bedarf (Kennung, 8 Zeichen)", "en": "Only need (reference, 8 characters)"},
    "moderation.audit_download": {"de": "Prüfprotokoll als CSV herunterladen", "en": "Download the audit log as CSV"},
    "moderation.audit_empty": {"de": "Noch keine Einträge.", "en": "No entries yet."},
    "moderation.audit_bad_reference": {
        "de": "„{reference}“ ist keine Kennung: sie hat 8 Zeichen aus 0–9 und A–F, z. B. 4622EDD7. Gezeigt wird das "
              "ganze Protokoll.",
        "en": "“{reference}” is not a reference: it has 8 characters from 0–9 and A–F, e.g. 4622EDD7. Showing the "
              "whole log.",
    },
    "moderation.audit_none_for": {"de": "Kein Eintrag zur Kennung {reference}.",
                                  "en": "No entry for the reference {reference}."},
    "moderation.audit_time_note": {
        "de": "Zeiten in Berliner Ortszeit (MEZ/MESZ). Der CSV-Export enthält die gespeicherten Werte: Zeiten in "
        "UTC, Aktionen, Status und Gründe als Kennungen.",
        "en": "Times in Berlin local time (CET/CEST). The CSV export holds the stored values: times in UTC, "
        "actions, statuses and reasons as ids.",
    },
    "moderation.audit_col.at": {"de": "Zeitpunkt", "en": "Time"},
    "moderation.audit_col.actor": {"de": "Wer", "en": "Who"},
    "moderation.audit_col.action": {"de": "Aktion", "en": "Action"},
    "moderation.audit_col.reference": {"de": "Kennung", "en": "Reference"},
    "moderation.audit_col.status_before": {"de": "Status vorher", "en": "Status before"},
    "moderation.audit_col.status_after": {"de": "Status nachher", "en": "Status after"},
    "moderation.audit_col.reason": {"de": "Grund", "en": "Reason"},
    "moderation.audit_col.details": {"de": "Einzelheiten", "en": "Details"},
    "moderation.audit_action.approve": {"de": "freigegeben", "en": "approved"},
    "moderation.audit_action.reject": {"de": "abgelehnt", "en": "rejected"},
    "moderation.audit_action.edit": {"de": "bearbeitet", "en": "edited"},
    "moderation.audit_action.merge": {"de": "zusammengeführt", "en": "merged"},
    "moderation.audit_action.hide": {"de": "ausgeblendet (nach Meldungen)", "en": "hidden (after reports)"},
    "moderation.audit_action.workshop_hide": {"de": "ausgeblendet (Workshop-Leitung, vom Projektor)",
                                              "en": "hidden (workshop facilitator, off the projector)"},
    "moderation.audit_action.retention_delete": {"de": "gelöscht (Speicherfrist abgelaufen)",
                                                 "en": "deleted (retention period over)"},
    "moderation.audit_actor.system:reports": {"de": "automatisch (Meldungen)", "en": "automatic (reports)"},
    "moderation.audit_actor.system:retention": {"de": "automatisch (Speicherfrist)", "en": "automatic (retention)"},
    "moderation.audit_reason.wording": {"de": "Formulierung", "en": "Wording"},
    "privacy.nav": {"de": "Datenschutz", "en": "Privacy"},
    "privacy.title": {"de": "Datenschutz", "en": "Privacy"},
    "privacy.stored_title": {"de": "Was wir speichern", "en": "What we store"},
    "privacy.stored": {
        "de": "Zu jedem Bedarf: Thema, Titel, Beschreibung, den Ort (Punkt oder Gebiet) und die daraus "
              "bestimmten Planungsräume, den Zeitpunkt, die Sprache der Seite, ggf. den Workshop-Code und "
              "einen zufälligen Wert Ihres Browsers, damit ein doppelter Klick nur einmal zählt. Zu „Ich auch“ "
              "und zu Hinweisen auf Regelverstöße ebenfalls nur einen solchen zufälligen bzw. gehashten Wert. "
              "Nicht gespeichert werden: Name, E-Mail-Adresse, Telefonnummer, IP-Adresse oder andere Angaben "
              "zu Ihrer Person. Der Schutz vor massenhaften Meldungen speichert nur kurzlebige, gehashte "
              "Schlüssel in der Datenbank; sie werden nach Ablauf von {limiter_minutes} Minuten gelöscht.",
        "en": "For each need: topic, title, description, the place (point or area) and the planning areas "
              "derived from it, the time, the page language, a workshop code if any, and a random value of your "
              "browser so that a double click counts once. For \"me too\" and for reports of rule breaches also "
              "only such a random or hashed value. We do not store: name, e-mail address, phone number, IP "
              "address or anything else about you. The protection against mass submissions stores only "
              "short-lived hashed keys in the database; they are deleted once {limiter_minutes} minutes have passed.",
    },
    "privacy.purpose_title": {"de": "Wozu", "en": "What for"},
    "privacy.purpose": {
        "de": "Die Bedarfe fließen in die öffentliche Karte und in die Bedarfsanalyse je Gebiet ein, die die "
              "Planung des Bezirks unterstützt. Nach einer Prüfung durch das Moderationsteam sind sie öffentlich "
              "sichtbar. Mitarbeitende, die Bedarfe prüfen, werden mit Kennung und Rolle im Prüfprotokoll "
              "festgehalten.",
        "en": "Needs feed the public map and the needs assessment per area that supports the district's "
              "planning. After a check by the moderators they are public. Staff who decide on needs are "
              "recorded with their account name and role in the audit log.",
    },
    "privacy.retention_title": {"de": "Wie lange", "en": "How long"},
    "privacy.retention": {
        "de": "Veröffentlichte Bedarfe werden {published} Tage nach dem Absenden gelöscht, spätestens zum Ende "
              "des Projekts. Abgelehnte und zusammengeführte Bedarfe werden {rejected} Tage nach der Entscheidung "
              "gelöscht. Die zufälligen Browser-Werte werden nach {tokens} Tagen unkenntlich gemacht. Ein "
              "automatischer Löschlauf erledigt das täglich und protokolliert, was er gelöscht hat.",
        "en": "Published needs are deleted {published} days after they were sent, at the latest at the end of "
              "the project. Rejected and merged needs are deleted {rejected} days after the decision. The random "
              "browser values are made unrecognisable after {tokens} days. An automatic job does this daily and "
              "logs what it deleted.",
    },
    "privacy.rights_title": {"de": "Ihre Rechte", "en": "Your rights"},
    "privacy.rights": {
        "de": "Sie haben das Recht auf Auskunft, Berichtigung, Löschung, Einschränkung der Verarbeitung und "
              "Widerspruch (Art. 15–21 DSGVO) sowie auf Beschwerde bei der Berliner Beauftragten für Datenschutz "
              "und Informationsfreiheit. Weil wir nichts zu Ihrer Person speichern, nennen Sie uns bitte die "
              "Kennung Ihres Bedarfs (8 Zeichen, nach dem Absenden angezeigt). Einen veröffentlichten Bedarf, der "
              "gegen die Regeln verstößt, können Sie melden: nach drei Meldungen wird er ausgeblendet, bis das "
              "Moderationsteam entscheidet.",
        "en": "You have the right of access, rectification, erasure, restriction of processing and objection "
              "(Art. 15-21 GDPR) and the right to lodge a complaint with the Berlin Commissioner for Data "
              "Protection and Freedom of Information. As we store nothing about you, please give us the reference "
              "of your need (8 characters, shown after sending). You can report a published need that breaks the "
              "rules: after three reports it is hidden until the moderators decide.",
    },
    "privacy.contact": {
        "de": "Verantwortlich und Kontakt: siehe Impressum auf der Seite „Quellen“.",
        "en": "Controller and contact: see the imprint on the Sources page.",
    },
    # --- Workshops /workshop and /live (keys "workshop.*", "live.*") ---
    "workshop.nav": {"de": "Workshop leiten", "en": "Run a workshop"},
    "workshop.title": {"de": "Workshop einrichten und leiten", "en": "Set up and run a workshop"},
    "workshop.intro": {
        "de": "Legen Sie einen Workshop an, öffnen Sie ihn für Meldungen, zeigen Sie den QR-Code und die "
              "Live-Ansicht am Beamer, starten Sie eine Punkte-Abstimmung und exportieren Sie die Ergebnisse.",
        "en": "Create a workshop, open it for submissions, show the QR code and the live view on the projector, "
              "start a dot vote and export the results.",
    },
    "workshop.create_header": {"de": "Neuer Workshop", "en": "New workshop"},
    "workshop.field_title": {"de": "Titel", "en": "Title"},
    "workshop.field_date": {"de": "Datum", "en": "Date"},
    "workshop.focus_kind": {"de": "Fokusgebiet", "en": "Focus area"},
    "workshop.focus_unit": {"de": "LOR-Gebiet aus der Liste", "en": "LOR area from the list"},
    "workshop.focus_rect": {"de": "Rechteck (auf der Karte ziehen oder Ecken eintippen)",
                            "en": "Rectangle (drag on the map or type the corners)"},
    "workshop.focus_level": {"de": "Ebene", "en": "Level"},
    "workshop.focus_area": {"de": "Gebiet", "en": "Area"},
    "workshop.draw_hint": {
        "de": "Rechteck auf der Karte aufziehen (Werkzeug oben links) – oder die Ecken unten eintippen.",
        "en": "Drag a rectangle on the map (tool at the top left) – or type the corners below.",
    },
    "workshop.rect_hint": {
        "de": "Längen- und Breitengrade (WGS84) der Ecken, z. B. aus einer Web-Karte.",
        "en": "Longitudes and latitudes (WGS84) of the corners, e.g. from a web map.",
    },
    "workshop.west": {"de": "West (Länge min.)", "en": "West (min. longitude)"},
    "workshop.south": {"de": "Süd (Breite min.)", "en": "South (min. latitude)"},
    "workshop.east": {"de": "Ost (Länge max.)", "en": "East (max. longitude)"},
    "workshop.north": {"de": "Nord (Breite max.)", "en": "North (max. latitude)"},
    "workshop.publish": {"de": "Meldungen aus dem Raum", "en": "Needs from the room"},
    "workshop.publish_now": {"de": "Sofort veröffentlichen", "en": "Publish at once"},
    "workshop.publish_now_note": {
        "de": "Jede Meldung erscheint sofort auf dem Projektor, ohne Prüfung. Sie moderieren den Raum: Unpassendes "
        "nehmen Sie unter „Auf dem Projektor“ mit „Ausblenden“ wieder herunter.",
        "en": "Every need appears on the projector at once, without a check. You moderate the room: take anything "
        "unsuitable down again with “Hide” under “On the projector”.",
    },
    "workshop.publish_later": {"de": "Erst nach Freigabe veröffentlichen", "en": "Publish after approval"},
    "workshop.publish_later_note": {
        "de": "Meldungen warten auf Freigabe durch das Moderationsteam (Seite „Moderation“) und erscheinen erst "
        "danach auf dem Projektor.",
        "en": "Needs wait for approval by the moderators (page “Moderation”) and appear on the projector only then.",
    },
    "workshop.pins_header": {"de": "Auf dem Projektor", "en": "On the projector"},
    "workshop.pins_hint": {
        "de": "Die veröffentlichten Meldungen dieses Workshops, die neuesten oben; neue erscheinen hier von selbst. "
        "„Ausblenden“ nimmt eine Meldung sofort von jedem Projektor und aus der Abstimmung; sie wartet dann auf "
        "die Entscheidung des Moderationsteams. Jedes Ausblenden steht im Prüfprotokoll.",
        "en": "This workshop's published needs, newest first; new ones come up here by themselves. “Hide” takes a "
        "need off every projector and out of the vote at once; it then waits for the moderators' decision. Every "
        "hide goes into the audit log.",
    },
    "workshop.pins_none": {"de": "Noch keine veröffentlichte Meldung.", "en": "No published need yet."},
    "workshop.pin_hide": {"de": "Ausblenden", "en": "Hide"},
    "workshop.pin_hidden": {
        "de": "Ausgeblendet: {reference} ist in wenigen Sekunden von jedem Projektor verschwunden.",
        "en": "Hidden: {reference} is gone from every projector within seconds.",
    },
    "workshop.create": {"de": "Workshop anlegen", "en": "Create workshop"},
    "workshop.created": {"de": "Workshop angelegt. Zugangscode: {code}", "en": "Workshop created. Join code: {code}"},
    "workshop.refused": {"de": "Nicht gespeichert: {reason}", "en": "Not saved: {reason}"},
    "workshop.title_missing": {
        "de": "Der Titel fehlt. Bitte geben Sie im Feld „Titel“ einen kurzen Namen für den Workshop ein.",
        "en": "The title is missing. Please enter a short name for the workshop in the field “Title”.",
    },
    "workshop.area_missing": {
        "de": "Das Fokusgebiet fehlt. Bitte wählen Sie im Feld „Gebiet“ ein Gebiet der Ebene „{level}“ aus der "
        "Liste (Sie können den Anfang des Namens tippen) oder zeichnen Sie ein Rechteck.",
        "en": "The focus area is missing. Please choose an area of the level “{level}” in the field “Area” "
        "(you can type the start of its name) or draw a rectangle.",
    },
    "workshop.choose": {"de": "Workshop", "en": "Workshop"},
    "workshop.none": {"de": "Noch kein Workshop angelegt.", "en": "No workshop yet."},
    "workshop.option": {"de": "{date} – {title} ({code}, {status})", "en": "{date} – {title} ({code}, {status})"},
    "workshop.status.new": {"de": "noch nicht geöffnet", "en": "not opened yet"},
    "workshop.status.closed": {"de": "geschlossen", "en": "closed"},
    "workshop.status.open": {"de": "offen", "en": "open"},
    "workshop.status.frozen": {"de": "abgeschlossen", "en": "frozen"},
    "workshop.status_line": {
        "de": {"one": "Status: {status} · {n} veröffentlichte Meldung · Zugangscode {code}",
               "other": "Status: {status} · {n} veröffentlichte Meldungen · Zugangscode {code}"},
        "en": {"one": "Status: {status} · {n} published need · join code {code}",
               "other": "Status: {status} · {n} published needs · join code {code}"},
    },
    "workshop.open": {"de": "Für Meldungen öffnen", "en": "Open for submissions"},
    "workshop.close": {"de": "Schließen", "en": "Close"},
    "workshop.freeze": {"de": "Endgültig abschließen", "en": "Freeze (final)"},
    "workshop.freeze_sure": {"de": "Ja, endgültig abschließen (nicht umkehrbar)",
                             "en": "Yes, freeze for good (cannot be undone)"},
    "workshop.frozen_note": {
        "de": "Dieser Workshop ist abgeschlossen: Meldungen und Abstimmungen sind endgültig.",
        "en": "This workshop is frozen: its needs and votes are final.",
    },
    "workshop.join_header": {"de": "Teilnehmen", "en": "Join"},
    "workshop.join_link": {"de": "Link für Teilnehmende:", "en": "Link for participants:"},
    "workshop.qr_caption": {"de": "QR-Code: {url}", "en": "QR code: {url}"},
    # Shown large beside the QR code (/live) and the join link (/workshop), for people who type the code in.
    "workshop.code_label": {"de": "Zugangscode", "en": "Join code"},
    # Device links for tables (/melden?workshop=CODE&tisch=SECRET): a shared tablet with a larger allowance.
    "workshop.devices_header": {"de": "Tisch-Geräte", "en": "Table devices"},
    "workshop.devices_intro": {
        "de": "Ein Tablet, das am Tisch von Hand zu Hand geht, darf über einen Tisch-Link bis zu {limit} Bedarfe "
        "in 10 Minuten senden (eine Einzelperson: {resident}), solange der Workshop offen ist. Öffnen Sie den "
        "Link auf dem Tablet des Tisches. Er wird nur jetzt angezeigt; gespeichert wird nur ein Hash.",
        "en": "A tablet passed around a table may send up to {limit} needs in 10 minutes through a table link "
        "(one person: {resident}), while the workshop is open. Open the link on the table's tablet. It is shown "
        "only now; only a hash is stored.",
    },
    "workshop.device_label": {"de": "Name des Tisches (z. B. Tisch 3)", "en": "Name of the table (e.g. Table 3)"},
    "workshop.device_create": {"de": "Tisch-Link erstellen", "en": "Make a table link"},
    "workshop.device_made": {
        "de": "Tisch-Link für „{label}“ – auf dem Tablet öffnen oder den QR-Code scannen:",
        "en": "Table link for “{label}” – open it on the tablet or scan the QR code:",
    },
    "workshop.devices_list": {"de": "Tisch-Links dieses Workshops: {labels}", "en": "Table links of this workshop: {labels}"},
    "workshop.live_link": {"de": "Live-Ansicht für den Beamer öffnen", "en": "Open the live view for the projector"},
    "workshop.vote_header": {"de": "Punkte-Abstimmung", "en": "Dot voting"},
    "workshop.dots": {"de": "Punkte pro Person", "en": "Dots per person"},
    "workshop.start_round": {"de": "Abstimmungsrunde starten", "en": "Start a voting round"},
    "workshop.stop_round": {"de": "Abstimmungsrunde beenden", "en": "End the voting round"},
    "workshop.round_open": {
        "de": {"one": "Eine Runde läuft: {n} Punkt pro Person.", "other": "Eine Runde läuft: {n} Punkte pro Person."},
        "en": {"one": "A round is open: {n} dot per person.", "other": "A round is open: {n} dots per person."},
    },
    "workshop.round_closed": {
        "de": {"one": "Letzte Runde beendet ({n} Punkt pro Person).", "other": "Letzte Runde beendet ({n} Punkte pro Person)."},
        "en": {"one": "Last round ended ({n} dot per person).", "other": "Last round ended ({n} dots per person)."},
    },
    "workshop.round_none": {"de": "Noch keine Abstimmungsrunde.", "en": "No voting round yet."},
    "workshop.col.title": {"de": "Bedarf", "en": "Need"},
    "workshop.col.reference": {"de": "Kennung", "en": "Reference"},
    "workshop.col.category": {"de": "Thema", "en": "Topic"},
    "workshop.col.votes": {"de": "Punkte", "en": "Dots"},
    "workshop.col.voters": {"de": "Personen", "en": "People"},
    "workshop.col.count": {"de": "Anzahl", "en": "Count"},
    "workshop.col.supports": {"de": "„Ich auch“", "en": "“Me too”"},
    "workshop.export_header": {"de": "Ergebnisse exportieren", "en": "Export the results"},
    "workshop.export_needs_csv": {"de": "Meldungen (CSV)", "en": "Needs (CSV)"},
    "workshop.export_needs_geojson": {"de": "Meldungen (GeoJSON)", "en": "Needs (GeoJSON)"},
    "workshop.export_votes_csv": {"de": "Punkte (CSV)", "en": "Dots (CSV)"},
    "workshop.export_summary_html": {"de": "Zusammenfassung (HTML)", "en": "Summary (HTML)"},
    "workshop.export_summary_pdf": {"de": "Zusammenfassung (PDF)", "en": "Summary (PDF)"},
    "workshop.prepare_pdf": {"de": "PDF erstellen", "en": "Build the PDF"},
    "workshop.vote_nav": {"de": "Abstimmen", "en": "Vote"},
    "workshop.vote_title": {"de": "Abstimmen: {title}", "en": "Vote: {title}"},
    "workshop.vote_unknown": {
        "de": "Einen Workshop mit dem Code „{code}“ gibt es nicht. Bitte prüfen Sie den Code oder nutzen Sie den "
        "QR-Code am Beamer.",
        "en": "There is no workshop with the code “{code}”. Please check the code or use the QR code on the projector.",
    },
    "workshop.vote_code_intro": {
        "de": "Bitte geben Sie den Zugangscode des Workshops ein. Er steht groß am Beamer neben dem QR-Code.",
        "en": "Please enter the workshop's join code. It is shown in large letters on the projector next to the QR code.",
    },
    "workshop.code_field": {"de": "Zugangscode des Workshops", "en": "Workshop join code"},
    "workshop.code_help": {"de": "6 Zeichen, zum Beispiel K7MP3Q", "en": "6 characters, for example K7MP3Q"},
    "workshop.code_go": {"de": "Öffnen", "en": "Open"},
    "workshop.vote_ended": {
        "de": "Dieser Workshop ist abgeschlossen; es gibt keine Abstimmung mehr. Die Ergebnisse hat die Moderation.",
        "en": "This workshop has ended; there is no more voting. The facilitator has the results.",
    },
    "workshop.vote_none": {
        "de": "Gerade läuft keine Abstimmung. Die Seite zeigt sie, sobald die Moderation eine Runde startet.",
        "en": "No vote is running. This page shows it as soon as the facilitator starts a round.",
    },
    "workshop.vote_left": {
        "de": {"one": "Sie haben {left} von {n} Punkt übrig. Geben Sie ihn dem Bedarf, der Ihnen am wichtigsten ist.",
               "other": "Sie haben {left} von {n} Punkten übrig. Verteilen Sie sie auf die Bedarfe, die Ihnen am "
                        "wichtigsten sind (auch mehrere auf einen)."},
        "en": {"one": "You have {left} of {n} dot left. Put it on the need that matters most to you.",
               "other": "You have {left} of {n} dots left. Put them on the needs that matter most to you "
                        "(several on one is fine)."},
    },
    "workshop.vote_no_cookie": {
        "de": "Abstimmen geht nur mit dem Cookie dieser Seite: Daran erkennt sie Ihre Punkte wieder, ohne zu "
        "wissen, wer Sie sind. Ihr Browser hat es nicht mitgeschickt. Bitte erlauben Sie Cookies für diese Seite "
        "und laden Sie sie dann neu.",
        "en": "Voting needs this page's cookie: it is how the page recognises your dots without knowing who you "
        "are. Your browser did not send it. Please allow cookies for this page, then reload it.",
    },
    "workshop.vote_mine": {"de": "Ihre Punkte hier: {n}", "en": "Your dots here: {n}"},
    "workshop.vote_add": {"de": "+ Punkt", "en": "+ dot"},
    "workshop.vote_remove": {"de": "− Punkt", "en": "− dot"},
    "workshop.vote_refused": {"de": "Nicht gezählt: {reason}", "en": "Not counted: {reason}"},
    "workshop.vote_empty": {"de": "Noch keine veröffentlichten Bedarfe in diesem Workshop.", "en": "No published needs in this workshop yet."},
    "workshop.vote_over": {
        "de": "Die Abstimmungsrunde ist beendet – danke fürs Mitmachen! Das Ergebnis sehen Sie am Beamer. "
        "Startet die Moderation eine neue Runde, erscheint sie hier von selbst.",
        "en": "This voting round has ended – thank you for taking part! The result is on the projector. "
        "If the facilitator starts a new round, it appears here by itself.",
    },
    "workshop.summary_title": {"de": "Workshop-Zusammenfassung", "en": "Workshop summary"},
    "workshop.summary_needs": {"de": "Meldungen", "en": "Needs"},
    "workshop.summary_top": {"de": "Wichtigste Bedarfe", "en": "Top needs"},
    "workshop.summary_by_category": {"de": "Meldungen nach Thema", "en": "Needs by topic"},
    "workshop.summary_map": {"de": "Karte des Fokusgebiets mit den Meldungen", "en": "Map of the focus area with the needs"},
    "workshop.summary_sources": {"de": "Quellen", "en": "Sources"},
    "workshop.summary_rect": {"de": "Rechteck {bbox}", "en": "Rectangle {bbox}"},
    "workshop.summary_facts": {
        "de": {"one": "Datum: {date} · Fokusgebiet: {focus} · Status: {status} · {n} veröffentlichte Meldung",
               "other": "Datum: {date} · Fokusgebiet: {focus} · Status: {status} · {n} veröffentlichte Meldungen"},
        "en": {"one": "Date: {date} · Focus area: {focus} · Status: {status} · {n} published need",
               "other": "Date: {date} · Focus area: {focus} · Status: {status} · {n} published needs"},
    },
    "workshop.summary_ranked_by": {
        "de": {"one": "Reihenfolge nach Punkten der letzten Abstimmungsrunde ({dots} pro Person, {n} Person).",
               "other": "Reihenfolge nach Punkten der letzten Abstimmungsrunde ({dots} pro Person, {n} Personen)."},
        "en": {"one": "Ranked by the dots of the last voting round ({dots} per person, {n} person).",
               "other": "Ranked by the dots of the last voting round ({dots} per person, {n} people)."},
    },
    "workshop.dots_count": {"de": {"one": "{n} Punkt", "other": "{n} Punkte"}, "en": {"one": "{n} dot", "other": "{n} dots"}},
    "workshop.summary_no_vote": {
        "de": "Ohne Abstimmung: Reihenfolge nach „Ich auch“-Unterstützungen.",
        "en": "No vote: ranked by “me too” supports.",
    },
    "workshop.summary_needs_source": {
        "de": "Meldungen: Bürgerinnen und Bürger im Workshop (Bedarfsatlas Berlin), Stand {date}.",
        "en": "Needs: residents in the workshop (Bedarfsatlas Berlin), as of {date}.",
    },
    "live.nav": {"de": "Live-Ansicht", "en": "Live view"},
    "live.unknown": {
        "de": "Einen Workshop mit dem Code „{code}“ gibt es nicht. Bitte prüfen Sie den Code oder öffnen Sie die "
        "Live-Ansicht über die Workshop-Seite.",
        "en": "There is no workshop with the code “{code}”. Please check the code or open the live view from the "
        "workshop page.",
    },
    "live.code_intro": {
        "de": "Bitte geben Sie den Zugangscode des Workshops ein, um die Live-Ansicht für den Beamer zu öffnen. "
        "Sie finden ihn auf der Workshop-Seite.",
        "en": "Please enter the workshop's join code to open the live view for the projector. "
        "You find it on the workshop page.",
    },
    "live.join": {"de": "Mitmachen: QR-Code scannen oder", "en": "Join: scan the QR code or open"},
    "live.vote": {"de": "Abstimmen: QR-Code scannen oder", "en": "Vote: scan the QR code or open"},
    "live.count": {"de": {"one": "{n} Meldung", "other": "{n} Meldungen"}, "en": {"one": "{n} need", "other": "{n} needs"}},
    "live.by_category": {"de": "Nach Thema", "en": "By topic"},
    "live.newest": {"de": "Neueste Meldungen", "en": "Newest needs"},
    "live.none_yet": {"de": "Noch keine Meldungen – machen Sie den Anfang!", "en": "No needs yet – be the first!"},
    "live.results": {"de": {"one": "Abstimmung ({n} Punkt pro Person)", "other": "Abstimmung ({n} Punkte pro Person)"},
                     "en": {"one": "Vote ({n} dot per person)", "other": "Vote ({n} dots per person)"}},
    "live.result_line": {"de": {"one": "{n} Pkt. – {title}", "other": "{n} Pkt. – {title}"},
                         "en": {"one": "{n} dot – {title}", "other": "{n} dots – {title}"}},
    # A result line with its place (needs with dots); equal dots share the place and say so.
    "live.result_ranked": {"de": {"one": "{rank}. {n} Pkt. – {title}", "other": "{rank}. {n} Pkt. – {title}"},
                           "en": {"one": "{rank}. {n} dot – {title}", "other": "{rank}. {n} dots – {title}"}},
    "live.result_tied": {"de": {"one": "{rank}. (gleichauf) {n} Pkt. – {title}",
                                "other": "{rank}. (gleichauf) {n} Pkt. – {title}"},
                         "en": {"one": "{rank}. (tied) {n} dot – {title}", "other": "{rank}. (tied) {n} dots – {title}"}},
    "live.round_over": {"de": "Die Abstimmung ist beendet. Das Ergebnis:", "en": "Voting has ended. The result:"},
    "live.closed": {"de": "Meldungen sind geschlossen.", "en": "Submissions are closed."},
    "live.not_open": {"de": "Gleich geht es los: Meldungen sind noch nicht geöffnet.",
                      "en": "Starting soon: submissions are not open yet."},
    # Base maps by name (issue 14): the sources page lists a named base map's service and address.
    "sources.basemap_service": {"de": "Dienst", "en": "Service"},
    "sources.basemap_address": {"de": "Adresse (Layer)", "en": "Address (layer)"},
    # --- issue 14: workshop links and shareable views ---------------------------------------------
    "workshop.localhost_warning": {
        "de": "Dieser Link führt zu `localhost`, also zu diesem Rechner: Handys können ihn nicht öffnen. "
        "Setzen Sie die Einstellung `BEDARFSATLAS_PUBLIC_URL` auf die Adresse, unter der Handys die App erreichen "
        "(z. B. `https://beteiligung.berlin.de/bedarfsatlas` oder `http://192.168.0.5:8501` im WLAN des Raums), "
        "und starten Sie die App neu. Oder öffnen Sie diese Seite über diese Adresse statt über `localhost`.",
        "en": "This link leads to `localhost`, that is to this computer: phones cannot open it. "
        "Set the setting `BEDARFSATLAS_PUBLIC_URL` to the address at which phones reach the app "
        "(e.g. `https://beteiligung.berlin.de/bedarfsatlas`, or `http://192.168.0.5:8501` on the room's Wi-Fi) "
        "and restart the app. Or open this page at that address instead of `localhost`.",
    },
    # Shareable views (overview, /bewertung): a link's bad value is ignored and named (assessment.analysis.view_links).
    "view_link.unknown_value": {
        "de": "Der Link-Parameter „{param}“ hat den unbekannten Wert „{value}“ und wurde ignoriert "
        "(gültig: {valid}); es gilt {default}.",
        "en": "The link's parameter “{param}” has the unknown value “{value}” and was ignored (valid: {valid}); "
        "showing {default}.",
    },
    "view_link.unknown_indicator": {
        "de": "Der Link-Parameter „{param}“ nennt den unbekannten Indikator „{value}“; er wurde ignoriert, "
        "es gilt der Standard.",
        "en": "The link's parameter “{param}” names the unknown indicator “{value}”; it was ignored, "
        "showing the default.",
    },
    "view_link.bad_weight": {
        "de": "Der Link-Parameter „{param}“: „{value}“ ist kein Indikator der Ebene {level} mit einem Gewicht von "
        "0 bis {max} in Schritten von 0.25 (z. B. mss_status_low_share:2.5); ignoriert.",
        "en": "The link's parameter “{param}”: “{value}” is no indicator of level {level} with a weight from "
        "0 to {max} in steps of 0.25 (e.g. mss_status_low_share:2.5); ignored.",
    },
    "view_link.duplicate": {
        "de": "Der Link-Parameter „{param}“ nennt „{value}“ mehrfach; es gilt die erste Angabe.",
        "en": "The link's parameter “{param}” names “{value}” more than once; the first one holds.",
    },
    "view_link.no_weights": {
        "de": "Der Link-Parameter „{param}“ enthält keine gültige Gewichtung; es gelten die Gewichte der Vorlage.",
        "en": "The link's parameter “{param}” holds no valid weight; the preset's weights hold.",
    },
    "view_link.bad_direction": {
        "de": "Der Link-Parameter „{param}“: „{value}“ ist keine Richtung wie schluessel:-1 oder schluessel:1 "
        "für einen gewichteten Indikator; ignoriert.",
        "en": "The link's parameter “{param}”: “{value}” is no direction such as key:-1 or key:1 "
        "for a weighted indicator; ignored.",
    },
    # Needs in view on /karte (issue 14): above the point limit, each need inside the view from street zoom on.
    "planner.inview.zoom_in": {
        "de": "Mehr als {limit} Bedarfe: die Karte zeigt ihre Anzahl je Planungsraum. Zoomen Sie bis auf "
        "Straßenebene hinein, um die einzelnen Bedarfe im Kartenausschnitt zu sehen.",
        "en": "More than {limit} needs: the map shows their count per planning area. Zoom in to street "
        "level to see the single needs in the map's view.",
    },
    "planner.inview.shown": {
        "de": {"one": "Straßenebene: die Karte zeigt den {n} Bedarf in diesem Ausschnitt.",
               "other": "Straßenebene: die Karte zeigt alle {n} Bedarfe in diesem Ausschnitt."},
        "en": {"one": "Street level: the map shows the {n} need in this view.",
               "other": "Street level: the map shows all {n} needs in this view."},
    },
    "planner.inview.none": {
        "de": "Straßenebene: in diesem Ausschnitt liegt kein Bedarf, der den Filtern entspricht.",
        "en": "Street level: no need in this view matches the filters.",
    },
    "planner.inview.capped": {
        "de": {"one": "Dieser Ausschnitt enthält mehr als {n} Bedarf; die Karte zeigt den neuesten. "
                      "Zoomen Sie weiter hinein, um alle zu sehen.",
               "other": "Dieser Ausschnitt enthält mehr als {n} Bedarfe; die Karte zeigt die {n} neuesten. "
                        "Zoomen Sie weiter hinein, um alle zu sehen."},
        "en": {"one": "This view holds more than {n} need; the map shows the newest. Zoom in further to see all.",
               "other": "This view holds more than {n} needs; the map shows the {n} newest. "
                        "Zoom in further to see all."},
    },
    "planner.inview.capped_closest": {
        "de": {"one": "Dieser Ausschnitt enthält mehr als {n} Bedarf; die Karte zeigt den neuesten "
                      "(näher heran zoomt sie nicht).",
               "other": "Dieser Ausschnitt enthält mehr als {n} Bedarfe; die Karte zeigt die {n} neuesten "
                        "(näher heran zoomt sie nicht)."},
        "en": {"one": "This view holds more than {n} need; the map shows the newest (it cannot zoom in further).",
               "other": "This view holds more than {n} needs; the map shows the {n} newest "
                        "(it cannot zoom in further)."},
    },
    # --- place search ("Ort suchen") on /melden and /karte (issue 14): ui/place_search.py ---------------
    "place_search.label": {"de": "Ort suchen", "en": "Find a place"},
    "place_search.help": {
        "de": "Name eines Bahnhofs, einer Haltestelle, einer Kita, Schule oder Apotheke oder eines Gebiets, "
        "z. B. „Kottbusser Tor“ oder „Hermannstraße“; dann die Eingabetaste drücken.",
        "en": "Name of a station, a stop, a day-care centre, school or pharmacy, or an area, "
        "e.g. “Kottbusser Tor” or “Hermannstraße”; then press Enter.",
    },
    "place_search.help_addresses": {
        "de": "Adresse (Straße und Hausnummer) oder Name eines Bahnhofs, einer Haltestelle, einer Kita, "
        "Schule oder Apotheke oder eines Gebiets, z. B. „Kottbusser Tor“; dann die Eingabetaste drücken.",
        "en": "An address (street and house number) or the name of a station, a stop, a day-care centre, "
        "school or pharmacy, or an area, e.g. “Kottbusser Tor”; then press Enter.",
    },
    "place_search.results": {"de": {"one": "{n} Treffer", "other": "{n} Treffer"},
                             "en": {"one": "{n} result", "other": "{n} results"}},
    "place_search.choose": {"de": "Treffer wählen", "en": "Choose a result"},
    "place_search.none": {
        "de": "Kein Ort gefunden für „{query}“. Versuchen Sie einen Bahnhof, eine Haltestelle oder einen Gebietsnamen.",
        "en": "No place found for “{query}”. Try a station, a stop or the name of an area.",
    },
    "place_search.addresses_unavailable": {
        "de": "Die Adresssuche ist gerade nicht erreichbar. Die Treffer kommen aus den Bahnhöfen, Haltestellen, "
        "Einrichtungen und Gebieten der App.",
        "en": "The address search is unavailable right now. The results come from the app's own stations, stops, "
        "facilities and areas.",
    },
    "place_search.result": {"de": "{name} – {kind}, {area}", "en": "{name} – {kind}, {area}"},
    "place_search.kind.S+U": {"de": "S- und U-Bahnhof", "en": "S-Bahn and U-Bahn station"},
    "place_search.kind.U": {"de": "U-Bahnhof", "en": "U-Bahn station"},
    "place_search.kind.S": {"de": "S-Bahnhof", "en": "S-Bahn station"},
    "place_search.kind.Haltestelle": {"de": "Haltestelle", "en": "Stop"},
    "place_search.kind.kitas": {"de": "Kita", "en": "Day-care centre"},
    "place_search.kind.schools": {"de": "Schule", "en": "School"},
    "place_search.kind.youth_centres": {"de": "Jugendfreizeiteinrichtung", "en": "Youth centre"},
    "place_search.kind.care_homes": {"de": "Pflegeeinrichtung", "en": "Care home"},
    "place_search.kind.pharmacies": {"de": "Apotheke", "en": "Pharmacy"},
    "place_search.kind.address": {"de": "Adresse", "en": "Address"},
    "report.place_near": {
        "de": "In der Nähe von {name}: Planungsraum {plr} (Bezirksregion {bzr}, Bezirk {bez}). "
        "Stimmt der Ort nicht genau, klicken Sie auf die Karte, um die Stecknadel zu verschieben.",
        "en": "Near {name}: planning area {plr} (district region {bzr}, district {bez}). "
        "If the place is not quite right, click the map to move the pin.",
    },
    "sources.packaged": {"de": "Daten aus Paketen", "en": "Data from packages"},
    "sources.package": {"de": "Paket und Version", "en": "Package and version"},
    "sources.package_licence": {"de": "Lizenz des Pakets (Code)", "en": "Package licence (code)"},
    "sources.description": {"de": "Inhalt und Verwendung", "en": "Content and use"},
    # --- i16 ---
    "procedure.label": {"de": "Beteiligungsverfahren", "en": "Participation procedure"},
    "procedure.all": {"de": "Alle Verfahren", "en": "All procedures"},
    "procedure.status.planned": {"de": "geplant", "en": "planned"},
    "procedure.status.open": {"de": "offen", "en": "open"},
    "procedure.status.closed": {"de": "abgeschlossen", "en": "closed"},
    "procedure.option": {"de": "{title} ({status}, {period})", "en": "{title} ({status}, {period})"},
    "procedure.report.heading": {"de": "Beteiligungsverfahren: {title}", "en": "Participation procedure: {title}"},
    "procedure.report.facts": {
        "de": "Zeitraum {period}, Status {status}, Gebiet {area}; {count} Bedarfe in diesem Verfahren.",
        "en": "Period {period}, status {status}, area {area}; {count} needs in this procedure.",
    },
    "procedure.report.answers": {"de": "Antworten auf die Fragen", "en": "Answers to the questions"},
    "procedure.report.answered": {
        "de": "{answered} von {count} Bedarfen haben die Frage beantwortet.",
        "en": "{answered} of {count} needs answered the question.",
    },
    "procedure.report.option": {"de": "Antwort", "en": "Answer"},
    "procedure.report.count": {"de": "Anzahl", "en": "Count"},
    "procedure.report.no_questions": {"de": "Das Verfahren stellt keine Fragen.", "en": "The procedure asks no questions."},
    "procedure.choose": {"de": "In welches Verfahren?", "en": "Into which procedure?"},
    "procedure.none_open": {
        "de": "Zurzeit ist kein Beteiligungsverfahren offen. Die Ergebnisse abgeschlossener Verfahren bleiben sichtbar.",
        "en": "No participation procedure is open at the moment. The results of closed procedures stay visible.",
    },
    "procedure.closed_results": {
        "de": "Das Verfahren „{title}“ ist abgeschlossen und nimmt nichts mehr an. Ergebnis: {count} veröffentlichte Bedarfe.",
        "en": "The procedure “{title}” is closed and takes nothing more. Result: {count} published needs.",
    },
    "procedure.area_note": {"de": "Gebiet: {area}. Zeitraum: {period}.", "en": "Area: {area}. Period: {period}."},
    "procedure.question_none": {"de": "keine Angabe", "en": "no answer"},
    "procedure.support_closed": {
        "de": "Das Verfahren dieses Bedarfs ist abgeschlossen: Unterstützungen sind nicht mehr möglich.",
        "en": "This need's procedure is closed: supports are no longer possible.",
    },
    "nav.procedures": {"de": "Verfahren verwalten", "en": "Manage procedures"},
    "procedures.title": {"de": "Beteiligungsverfahren verwalten", "en": "Manage participation procedures"},
    "procedures.intro": {
        "de": "Jedes Verfahren hat ein Gebiet, einen Zeitraum, Kategorien, Fragen und eine Moderationsregel. "
        "Jede Änderung steht im Prüfprotokoll.",
        "en": "Each procedure has an area, a period, categories, questions and a moderation rule. "
        "Every change is written to the audit log.",
    },
    "procedures.col.id": {"de": "Kennung", "en": "Id"},
    "procedures.col.title": {"de": "Titel", "en": "Title"},
    "procedures.col.status": {"de": "Status", "en": "Status"},
    "procedures.col.period": {"de": "Zeitraum", "en": "Period"},
    "procedures.col.needs": {"de": "Bedarfe", "en": "Needs"},
    "procedures.new": {"de": "Neues Verfahren", "en": "New procedure"},
    "procedures.choose": {"de": "Verfahren wählen", "en": "Choose a procedure"},
    "procedures.title_de": {"de": "Titel (deutsch)", "en": "Title (German)"},
    "procedures.title_en": {"de": "Titel (englisch)", "en": "Title (English)"},
    "procedures.description_de": {"de": "Beschreibung (deutsch)", "en": "Description (German)"},
    "procedures.description_en": {"de": "Beschreibung (englisch)", "en": "Description (English)"},
    "procedures.starts_on": {"de": "Beginn", "en": "Start"},
    "procedures.ends_on": {"de": "Ende", "en": "End"},
    "procedures.has_end": {"de": "Mit Enddatum", "en": "With an end date"},
    "procedures.area_kind": {"de": "Gebiet", "en": "Area"},
    "procedures.area_berlin": {"de": "ganz Berlin", "en": "all of Berlin"},
    "procedures.area_lor": {"de": "LOR-Gebiete", "en": "LOR areas"},
    "procedures.area_polygon": {"de": "gezeichnete Fläche", "en": "drawn polygon"},
    "procedures.area_level": {"de": "LOR-Ebene", "en": "LOR level"},
    "procedures.area_ids": {"de": "Gebiete (Kennungen, durch Komma getrennt)", "en": "Areas (ids, separated by commas)"},
    "procedures.area_polygon_text": {
        "de": "Fläche als WKT (POLYGON ((lon lat, …))) oder GeoJSON, WGS84",
        "en": "Polygon as WKT (POLYGON ((lon lat, …))) or GeoJSON, WGS84",
    },
    "procedures.area_label": {"de": "Name des Gebiets (für Hinweise)", "en": "Name of the area (for messages)"},
    "procedures.categories": {"de": "Kategorien aus der Standardliste", "en": "Categories from the standard list"},
    "procedures.own_categories": {
        "de": "Eigene Kategorien, eine je Zeile: kennung; Bezeichnung; #farbe; Beschreibung",
        "en": "Own categories, one per line: id; label; #colour; description",
    },
    "procedures.questions": {
        "de": "Fragen, eine je Zeile: scale; Fragetext  oder  choice; Fragetext; Option 1 | Option 2",
        "en": "Questions, one per line: scale; question text  or  choice; question text; option 1 | option 2",
    },
    "procedures.moderation": {"de": "Moderationsregel", "en": "Moderation rule"},
    "procedures.moderation.pre": {"de": "erst prüfen, dann veröffentlichen", "en": "check first, then publish"},
    "procedures.moderation.post": {"de": "sofort veröffentlichen, danach prüfen", "en": "publish at once, check afterwards"},
    "procedures.save": {"de": "Speichern", "en": "Save"},
    "procedures.saved": {"de": "Gespeichert: {title}.", "en": "Saved: {title}."},
    "procedures.close": {"de": "Jetzt abschließen", "en": "Close now"},
    "procedures.closed": {"de": "Abgeschlossen: {title}.", "en": "Closed: {title}."},
    "procedures.not_saved": {"de": "Nicht gespeichert. Bitte prüfen Sie:", "en": "Not saved. Please check:"},
    "procedures.downloads": {"de": "Alle Bedarfe des Verfahrens herunterladen", "en": "Download every need of the procedure"},
    "procedures.download_csv": {"de": "Bedarfe als CSV", "en": "Needs as CSV"},
    "procedures.download_geojson": {"de": "Bedarfe als GeoJSON", "en": "Needs as GeoJSON"},
    "procedures.download_gpkg": {"de": "Bedarfe als GeoPackage", "en": "Needs as GeoPackage"},
    "procedures.workshops": {"de": "Workshops in diesem Verfahren: {codes}", "en": "Workshops in this procedure: {codes}"},
    "procedures.no_workshops": {"de": "Noch keine Workshops in diesem Verfahren.", "en": "No workshops in this procedure yet."},
    "procedure.general": {"de": "Allgemein (kein eigenes Verfahren)", "en": "General (no procedure of its own)"},
    "moderation.audit_action.procedure_create": {"de": "Verfahren angelegt", "en": "procedure created"},
    "moderation.audit_action.procedure_edit": {"de": "Verfahren geändert", "en": "procedure edited"},
    "moderation.audit_action.procedure_close": {"de": "Verfahren abgeschlossen", "en": "procedure closed"},
    "moderation.audit_action.procedure_reopen": {"de": "Verfahren wieder geöffnet", "en": "procedure reopened"},
    "goals.edit": {"de": "Ziel bearbeiten", "en": "Edit goal"},
    "goals.edit_title": {"de": "Titel des Ziels", "en": "Title of the goal"},
    "goals.save": {"de": "Änderung speichern", "en": "Save the change"},
    "goals.saved": {"de": "Ziel geändert; die vorige Fassung steht im Verlauf.", "en": "Goal changed; the previous version is in its history."},
    "goals.withdraw": {"de": "Ziel zurückziehen", "en": "Withdraw goal"},
    "goals.withdrawn": {"de": "Ziel zurückgezogen; es bleibt mit seinem Verlauf gespeichert.", "en": "Goal withdrawn; it stays stored with its history."},
    "goals.history": {"de": "Verlauf ({count} frühere Fassungen)", "en": "History ({count} earlier versions)"},
    "goals.history_line": {"de": "Fassung {version}, bis {at} ({action} von {actor}): {title}",
                           "en": "Version {version}, until {at} ({action} by {actor}): {title}"},
    "goals.action.edit": {"de": "geändert", "en": "edited"},
    "goals.action.withdraw": {"de": "zurückgezogen", "en": "withdrawn"},
    "procedure.workshop_not_open": {
        "de": "Das Beteiligungsverfahren dieses Workshops ist nicht offen: Bedarfe können hier gerade nicht gesendet werden.",
        "en": "This workshop's participation procedure is not open: needs cannot be sent here right now.",
    },
}


class MissingTextError(KeyError):
    """A text key that is not in :data:`TEXTS`."""


def t(key: str, lang: str, **values: object) -> str:
    """The text ``key`` in language ``lang``, with ``{placeholders}`` filled from ``values``.

    Unknown languages fall back to German, the app's first language; an unknown
    key is a bug and raises :class:`MissingTextError` naming it. A counting text
    (``{"one": …, "other": …}`` per language) needs the count as ``n``: its
    ``one`` form is used for exactly 1, and ``n`` is shown with the language's
    thousands separator.

    Examples
    --------
    >>> t("overview.selected", "en", name="Moabit", id="0120", value="12.5 %")
    'Selected: Moabit (0120): 12.5 %'
    >>> t("moderation.count", "en", n=1)
    '1 need is waiting for a decision.'
    """
    try:
        entry = TEXTS[key]
    except KeyError:
        raise MissingTextError(f"no text {key!r} in core.i18n.TEXTS; add it there in German and English") from None
    text = entry.get(lang) or entry["de"]
    if isinstance(text, dict):
        count = values.get("n")
        if isinstance(count, bool) or not isinstance(count, (int, float)):
            raise TypeError(f"text {key!r} counts something: pass the count as a number n=…, got n={count!r}")
        text = text["one"] if count == 1 else text["other"]
        values = {**values, "n": format_number(count, 0 if float(count).is_integer() else 1, lang)}
    return text.format(**values) if values else text


def incomplete_plurals() -> list[str]:
    """Keys of counting texts that lack a ``one`` or ``other`` form in some language (should be none).

    >>> incomplete_plurals()
    []
    """
    return [
        key for key, entry in TEXTS.items() for text in entry.values()
        if isinstance(text, dict) and (set(text) != {"one", "other"} or not all(text.values()))
    ]


def count_areas(n: int, lang: str) -> str:
    """'1 Gebiet' / '12 Gebiete' (and English), for legends.

    >>> count_areas(1, "de"), count_areas(7, "en")
    ('1 Gebiet', '7 areas')
    """
    return t("legend.count_one", lang) if n == 1 else t("legend.count", lang, n=format_number(n, 0, lang))


_MARKDOWN_SPECIAL = set("\\`*_{}[]()#+-.!|<>~$:=")


#: U+2060 WORD JOINER: invisible and never a line break, but not a letter of a web address either.
WORD_JOINER = "\u2060"
# Where GitHub-flavoured Markdown starts a link of its own ("autolink literals"): after the scheme of
# http:// and https://, after the "www" of www., and at the "@" of an e-mail address (mailto: and
# xmpp: links need one too).
_AUTOLINK_START = re.compile(r"(?i)(?:https?(?=://)|www(?=\.)|@)")


def break_autolinks(text: str) -> str:
    """``text`` with a :data:`WORD_JOINER` wherever GitHub-flavoured Markdown would start a link of its own.

    This is what :func:`escape_markdown` shows of a text, apart from the escapes
    (tests look for it on the page).

    >>> break_autolinks("www.x.de und http://y.de").replace(WORD_JOINER, "|")
    'www|.x.de und http|://y.de'
    """
    return _AUTOLINK_START.sub(lambda found: found.group(0) + WORD_JOINER, str(text))


def escape_markdown(text: str) -> str:
    """``text`` with every Markdown (and Streamlit directive) character backslash-escaped, and no link.

    Streamlit renders captions, table cells and headers as Markdown; residents'
    text and data such as area names or attributions must show literally, never
    become links or markup.

    >>> print(escape_markdown("[click](javascript:x) *bold* :red[x]"))
    \\[click\\]\\(javascript\\:x\\) \\*bold\\* \\:red\\[x\\]

    Backslashes are not enough against GitHub-flavoured Markdown's *autolinks*:
    Streamlit's renderer finds ``http://…``, ``https://…``, ``www.…`` and e-mail
    addresses in the text *after* the escapes are read, so ``http\\://x`` still
    became a clickable link. An invisible :data:`WORD_JOINER` after ``http``,
    ``https`` and ``www`` and after every ``@`` breaks the pattern; the text
    reads the same on screen (shown here as ``|``):

    >>> def shown(text):
    ...     return escape_markdown(text).replace(WORD_JOINER, "|")
    >>> print(shown("Infos: http://evil.example, HTTPS://x.de, www.x.de"))
    Infos\\: http|\\://evil\\.example, HTTPS|\\://x\\.de, www|\\.x\\.de
    >>> print(shown("an info@kiez.de"))
    an info@|kiez\\.de
    >>> shown("Wwwandern am See"), shown("httpd")  # only where a link would start
    ('Wwwandern am See', 'httpd')
    """
    return "".join("\\" + c if c in _MARKDOWN_SPECIAL else c for c in break_autolinks(text))


def format_number(value: float | int | None, decimals: int, lang: str) -> str:
    """``value`` with ``decimals`` places, German or English separators; missing gives ''.

    German uses a decimal comma and a dot for thousands (``1.234,5``), English
    the opposite (``1,234.5``). NaN and ``None`` are missing values, not zero.

    >>> format_number(float("nan"), 1, "de")
    ''
    >>> format_number(-0.25, 2, "de")
    '-0,25'
    """
    if value is None:
        return ""
    try:
        if math.isnan(value):
            return ""
    except TypeError:
        raise TypeError(f"format_number needs a number, got {value!r} ({type(value).__name__})") from None
    text = f"{value:,.{decimals}f}"
    if lang == "de":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def interface_language(
    link: str | None,
    accept_language: str | None,
    browser_locale: str | None,
    default: str,
    offered: tuple[str, ...] = LANGUAGES,
) -> str:
    """The language a new visitor sees: the link's, else the browser's, else ``default``.

    ``link`` is the ``?sprache=`` of the address (a workshop's handout names it); it
    counts only if the app offers it. Otherwise the browser decides:
    ``accept_language`` (its ``Accept-Language`` header, every language the visitor
    reads, ranked by ``q``) is searched in order of preference, ties in the order
    written; ``q=0`` means "not this one", and a malformed entry or the wildcard
    ``*`` names no language. A regional tag counts as its language (``en-GB`` is
    ``en``). Without a match, ``browser_locale`` (``navigator.language``) is tried,
    and then ``default``, the operator's ``BEDARFSATLAS_LANGUAGE``: a resident
    whose browser asks for Turkish gets the city's language, not a guess.

    Examples
    --------
    >>> interface_language(None, "en-GB,en;q=0.9,de;q=0.8", None, "de")
    'en'
    >>> interface_language(None, "tr-TR,tr;q=0.9", "tr-TR", "de")
    'de'
    >>> interface_language("de", "en-GB", "en-GB", "en")
    'de'
    """
    if link in offered:
        return link
    ranked: list[tuple[float, str]] = []
    for entry in (accept_language or "").split(","):
        tag, *parameters = (part.strip() for part in entry.split(";"))
        quality = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = -1.0  # "q=abc": nothing to rank it by
        if tag and tag != "*" and 0 < quality <= 1:
            ranked.append((quality, tag))
    ranked.sort(key=lambda ranked_tag: -ranked_tag[0])  # stable: equal q keep the order written
    for tag in [tag for _, tag in ranked] + [browser_locale or ""]:
        language = tag.replace("_", "-").split("-")[0].strip().lower()
        if language in offered:
            return language
    return default
