"""The demo site's content, as data: three Mexican cases, their targets, and the pages.

The facts come from public human-rights reporting; every sentence here is our own. Every
contact is fictional and lives on example.org, so a demo letter can never reach a person.
`load_demo` (cms/management/commands/load_demo.py) turns this data into rows and pages.
"""

import datetime

from campaigns.models import ActionTarget, Category, UrgentAction

PRIMARY = ActionTarget.Tier.PRIMARY
COPY = ActionTarget.Tier.COPY

# Looked up by (name, organisation): the pair is how the command recognises a target.
TARGETS = [
    {
        "name": "Gobernador del Estado de Yucatán",
        "organisation": "Gobierno del Estado de Yucatán",
        "country": "MX",
        "language": "es",
        "salutation": "Señor Gobernador",
        "email": "gobernador.yucatan@example.org",
        "postal_address": "Palacio de Gobierno\nCalle Ejemplo 100, Centro\n97000 Mérida, Yucatán\nMéxico",
    },
    {
        "name": "Comisionado del Instituto Nacional de Migración",
        "organisation": "Instituto Nacional de Migración (INM)",
        "country": "MX",
        "language": "es",
        "salutation": "Señor Comisionado",
        "email": "comisionado.inm@example.org",
        "postal_address": "Av. Ejemplo 500, Col. Demostración\n01000 Ciudad de México\nMéxico",
    },
    {
        "name": "Titular de la Secretaría de Gobernación",
        "organisation": "Secretaría de Gobernación (SEGOB)",
        "country": "MX",
        "language": "es",
        "salutation": "Señora Secretaria",
        "email": "segob@example.org",
        "postal_address": "Calle Ficticia 99, Col. Centro\n06000 Ciudad de México\nMéxico",
    },
    {
        "name": "Fiscal General de la República",
        "organisation": "Fiscalía General de la República (FGR)",
        "country": "MX",
        "language": "es",
        "salutation": "Señor Fiscal General",
        "email": "fiscal.general@example.org",
        "postal_address": "Av. de los Ejemplos 211, Col. Muestra\n06300 Ciudad de México\nMéxico",
    },
    {
        "name": "Titular de la Comisión Nacional de Búsqueda de Personas",
        "organisation": "Comisión Nacional de Búsqueda (CNB)",
        "country": "MX",
        "language": "es",
        "salutation": "Señora Comisionada",
        "email": "busqueda@example.org",
        "postal_address": "Calle Demostración 35, Col. Prueba\n03100 Ciudad de México\nMéxico",
    },
]

# Embassies of Mexico: each is written to in the host country's language.
EMBASSIES = [
    ("CA", "en", "Embassy of Mexico in Canada", "Ambassador of Mexico", "Your Excellency",
     "45 Example Street, Suite 1000\nOttawa ON K1P 0A0\nCanada"),
    ("GB", "en", "Embassy of Mexico in the United Kingdom", "Ambassador of Mexico",
     "Your Excellency", "16 Example Square\nLondon W1A 0AA\nUnited Kingdom"),
    ("ES", "es", "Embajada de México en España", "Embajador de México",
     "Excelentísimo Señor Embajador", "Calle de Ejemplo 15\n28000 Madrid\nEspaña"),
    ("DE", "de", "Botschaft von Mexiko in Deutschland", "Botschafter von Mexiko", "Exzellenz",
     "Beispielstraße 10\n10100 Berlin\nDeutschland"),
    ("FR", "fr", "Ambassade du Mexique en France", "Ambassadeur du Mexique", "Excellence",
     "9 rue de l'Exemple\n75000 Paris\nFrance"),
    ("US", "en", "Embassy of Mexico in the United States", "Ambassador of Mexico",
     "Your Excellency", "1900 Example Avenue NW\nWashington, DC 20000\nUnited States"),
    ("AR", "es", "Embajada de México en la Argentina", "Embajador de México",
     "Excelentísimo Señor Embajador", "Calle Ejemplo 1200\nC1000 Buenos Aires\nArgentina"),
]  # fmt: skip

EMBASSY_ORGANISATION = "Embajada de México"


def embassy_targets() -> list[dict]:
    return [
        {
            "kind": "embassy",
            "name": name,
            "title": title,
            "organisation": EMBASSY_ORGANISATION,
            "country": host,
            "language": language,
            "salutation": salutation,
            "email": f"embajada-{host.lower()}@example.org",
            "postal_address": address,
            "represents_country": "MX",
            "accredited_to_country": host,
        }
        for host, language, name, title, salutation, address in EMBASSIES
    ]


def p(*paragraphs: str) -> list[dict]:
    """Paragraph blocks, one per string."""
    return [{"type": "paragraph", "value": f"<p>{text}</p>"} for text in paragraphs]


def h(text: str) -> list[dict]:
    return [{"type": "heading", "value": text}]


def quote(text: str, attribution: str) -> list[dict]:
    return [{"type": "quote", "value": {"text": text, "attribution": attribution}}]


def cases(*, today: datetime.date) -> list[dict]:
    """The three cases. The open ones are dated from ``today`` so they are open on any day."""
    return [
        {
            "number": "58/20",
            "title": "Protection withdrawn from a women's rights defender in Yucatán",
            "summary": (
                "Clemencia Adelaida Salas Salazar defends sexual and reproductive rights in "
                "Yucatán. On 30 March 2020 state officials replaced her two police escorts with "
                "one officer on limited duties, citing the pandemic, and left her exposed to "
                "further attacks."
            ),
            "category": Category.DEFENDERS,
            "country": "MX",
            "issued_on": datetime.date(2020, 4, 20),
            "deadline": datetime.date(2020, 6, 1),
            "writes_to_embassy": False,
            "targets": [("Gobernador del Estado de Yucatán", "Gobierno del Estado de Yucatán", PRIMARY)],
            "outcome_kind": UrgentAction.OutcomeKind.GOOD_NEWS,
            "outcome": (
                "The threats and attacks stopped, and in May 2020 the federal Protection "
                "Mechanism restored her full safety measures."
            ),
            "closed_on": datetime.date(2020, 5, 29),
            "follow_ups": [
                {
                    "issued_on": datetime.date(2020, 5, 29),
                    "texts": {
                        "en": (
                            "Further information on UA 58/20",
                            "Good news: Clemencia Adelaida Salas Salazar tells us the threats and attacks "
                            "against her have stopped. In May 2020 the federal Protection Mechanism for "
                            "Human Rights Defenders gave her back the full safety measures she had lost in "
                            "March. Letters reached the Governor of Yucatán from many countries, and three "
                            "different authorities wrote back. No further action is needed. Thank you.",
                        ),
                        "es": (
                            "Información complementaria sobre la AU 58/20",
                            "Buenas noticias: Clemencia Adelaida Salas Salazar nos cuenta que las amenazas y "
                            "los ataques en su contra han cesado. En mayo de 2020, el Mecanismo federal de "
                            "Protección para Personas Defensoras de Derechos Humanos le devolvió todas las "
                            "medidas de seguridad que había perdido en marzo. Al Gobernador de Yucatán le "
                            "llegaron cartas de muchos países y tres autoridades distintas respondieron. No "
                            "hace falta hacer nada más. Gracias.",
                        ),
                    },
                }
            ],
            "page": {
                "slug": "58-20",
                "hero": ((122, 36, 68), (238, 150, 75)),
                "en": {
                    "title": "Protection withdrawn from a women's rights defender in Yucatán",
                    "summary": (
                        "Her police escort was cut from two officers to one, in the middle of a "
                        "pandemic. Letter-writers asked the Governor of Yucatán to put it back."
                    ),
                    "hero_caption": "An abstract banner made for the demo site.",
                    "outcome_summary": (
                        "Good news: the threats and attacks stopped, and in May 2020 the federal "
                        "Protection Mechanism restored her full safety measures."
                    ),
                    "body": [
                        *h("What happened"),
                        *p(
                            "Clemencia Adelaida Salas Salazar has spent years defending the sexual and "
                            "reproductive rights of women in the state of Yucatán, work that has earned her "
                            "threats and attacks.",
                            "On 30 March 2020, Yucatán's Public Security officials took away the two police "
                            "officers assigned to protect her and sent a single officer whose duties were "
                            "limited. They gave the pandemic as their reason. With less protection she was "
                            "more exposed to the people who had already attacked her.",
                        ),
                        *h("What we asked"),
                        *p(
                            "We asked the Governor of Yucatán to restore her full protection without delay, "
                            "in agreement with her, and to make sure that health measures are never used as a "
                            "reason to leave a human rights defender unprotected.",
                        ),
                        *quote(
                            "Defending rights cannot be put on hold during an emergency; that is when it matters most.",
                            "Urgent Action 58/20",
                        ),
                    ],
                },
                "es": {
                    "title": "Retiran la protección a una defensora de los derechos de las mujeres en Yucatán",
                    "summary": (
                        "En plena pandemia le redujeron la escolta policial de dos agentes a uno. Quienes "
                        "escribieron pidieron al Gobernador de Yucatán que se la devolviera."
                    ),
                    "hero_caption": "Un cartel abstracto creado para el sitio de demostración.",
                    "outcome_summary": (
                        "Buenas noticias: cesaron las amenazas y los ataques, y en mayo de 2020 el "
                        "Mecanismo federal de Protección le devolvió todas sus medidas de seguridad."
                    ),
                    "body": [
                        *h("Qué ocurrió"),
                        *p(
                            "Clemencia Adelaida Salas Salazar lleva años defendiendo los derechos sexuales y "
                            "reproductivos de las mujeres en el estado de Yucatán, un trabajo que le ha "
                            "costado amenazas y agresiones.",
                            "El 30 de marzo de 2020, las autoridades de Seguridad Pública de Yucatán le "
                            "retiraron los dos policías asignados a su protección y enviaron a un solo agente "
                            "con funciones limitadas. Alegaron la pandemia. Con menos protección, quedó más "
                            "expuesta a quienes ya la habían atacado.",
                        ),
                        *h("Qué pedimos"),
                        *p(
                            "Pedimos al Gobernador de Yucatán que le devolviera de inmediato toda su "
                            "protección, de acuerdo con ella, y que las medidas sanitarias nunca sirvan de "
                            "excusa para dejar sin protección a una persona defensora.",
                        ),
                        *quote(
                            "Defender derechos no puede esperar a que pase una emergencia: es cuando más importa.",
                            "Acción Urgente 58/20",
                        ),
                    ],
                },
            },
        },
        {
            "number": "114/26",
            "title": "Let human rights observers back into migrant detention centres",
            "summary": (
                "Mexico's National Institute of Migration has suspended the access of NGOs and "
                "religious groups to migration detention centres, while thousands of people are "
                "being deported. The Interior Ministry has distanced itself, leaving the rule unclear."
            ),
            "category": Category.DETENTION,
            "country": "MX",
            "issued_on": today - datetime.timedelta(days=4),
            "deadline": today + datetime.timedelta(days=42),
            "writes_to_embassy": False,
            "targets": [
                ("Comisionado del Instituto Nacional de Migración", "Instituto Nacional de Migración (INM)", PRIMARY),
                ("Titular de la Secretaría de Gobernación", "Secretaría de Gobernación (SEGOB)", COPY),
            ],
            "page": {
                "slug": "114-26",
                "hero": ((20, 70, 110), (90, 190, 180)),
                "en": {
                    "title": "Let human rights observers back into migrant detention centres",
                    "summary": (
                        "The National Institute of Migration has shut NGOs out of its detention "
                        "centres. Ask it to open the doors again and to say how it protects the "
                        "people held inside."
                    ),
                    "hero_caption": "An abstract banner made for the demo site.",
                    "body": [
                        *h("What is happening"),
                        *p(
                            "Mexico's National Institute of Migration (INM) has decided to stop all "
                            "religious associations and non-governmental organisations from entering "
                            "migration detention centres. A few hours later the Ministry of the Interior "
                            "(SEGOB) said the decision was not its own, and nobody now knows for certain "
                            "whether the doors are open or shut.",
                            "Even before the announcement, organisations had reported being turned away "
                            "from centres on the southern border and in Mexico City, and an open letter had "
                            "asked the INM's commissioner to let every civil-society group in, as United "
                            "Nations bodies recommend.",
                        ),
                        *h("Why it matters now"),
                        *p(
                            "The government has just stopped a caravan of migrants, most of them from "
                            "Honduras, and more than 2,000 people were reportedly sent back to Honduras in "
                            "nine days. Migrant-rights groups have for years documented overcrowding and "
                            "ill-treatment in these centres, and pressure on people to drop their asylum "
                            "claims. Independent observers are often the only outsiders who see what happens "
                            "inside.",
                        ),
                        *h("What to ask"),
                        *p(
                            "Write to the INM's commissioner, in Spanish or your own language, with a copy "
                            "to the Ministry of the Interior. Ask them to give civil-society organisations "
                            "immediate access to every migrant detention centre, and to publish clear "
                            "information on how migrants and asylum seekers in their custody are protected.",
                        ),
                    ],
                },
                "es": {
                    "title": "Que vuelvan a entrar los observadores a las estaciones migratorias",
                    "summary": (
                        "El Instituto Nacional de Migración ha dejado fuera a las organizaciones civiles. "
                        "Pídele que abra de nuevo las puertas y que explique cómo protege a quienes "
                        "están detenidos."
                    ),
                    "hero_caption": "Un cartel abstracto creado para el sitio de demostración.",
                    "body": [
                        *h("Qué está pasando"),
                        *p(
                            "El Instituto Nacional de Migración (INM) ha decidido impedir la entrada de todas "
                            "las asociaciones religiosas y organizaciones no gubernamentales a las estaciones "
                            "migratorias. Horas después, la Secretaría de Gobernación (SEGOB) se desmarcó de "
                            "la decisión y ahora nadie sabe con certeza si las puertas están abiertas o "
                            "cerradas.",
                            "Ya antes del anuncio, varias organizaciones habían denunciado que no las dejaban "
                            "entrar en estaciones de la frontera sur y de la Ciudad de México, y una carta "
                            "abierta había pedido al comisionado del INM que permitiera el acceso a todas las "
                            "organizaciones civiles, como recomiendan los mecanismos de Naciones Unidas.",
                        ),
                        *h("Por qué importa ahora"),
                        *p(
                            "El gobierno acaba de detener una caravana de personas migrantes, en su mayoría "
                            "hondureñas, y según las informaciones más de 2.000 personas fueron devueltas a "
                            "Honduras en nueve días. Los grupos de defensa de las personas migrantes llevan "
                            "años documentando hacinamiento y malos tratos en estas estaciones, y presiones "
                            "para que se abandonen las solicitudes de asilo. A menudo, los observadores "
                            "independientes son las únicas personas de fuera que ven lo que ocurre dentro.",
                        ),
                        *h("Qué pedir"),
                        *p(
                            "Escribe al comisionado del INM, en español o en tu propio idioma, con copia a "
                            "la Secretaría de Gobernación. Pídele que dé acceso inmediato a las "
                            "organizaciones civiles a todas las estaciones migratorias y que publique "
                            "información clara sobre cómo se protege a las personas migrantes y solicitantes "
                            "de asilo bajo su custodia.",
                        ),
                    ],
                },
            },
        },
        {
            "number": "121/26",
            "title": "The disappeared: truth, justice and a real search",
            "summary": (
                "More than 61,600 people had been reported missing in Mexico by 2020. Their families, "
                "above all their mothers, search for them when the state does not. Ask the Attorney "
                "General and the National Search Commission to find them and to bring those "
                "responsible to justice."
            ),
            "category": Category.DISAPPEARED,
            "country": "MX",
            "issued_on": today - datetime.timedelta(days=9),
            "deadline": today + datetime.timedelta(days=45),
            "writes_to_embassy": True,
            "targets": [
                ("Fiscal General de la República", "Fiscalía General de la República (FGR)", PRIMARY),
                ("Titular de la Comisión Nacional de Búsqueda de Personas", "Comisión Nacional de Búsqueda (CNB)", PRIMARY),
            ],
            "page": {
                "slug": "121-26",
                "hero": ((40, 40, 60), (200, 170, 90)),
                "en": {
                    "title": "The disappeared: truth, justice and a real search",
                    "summary": (
                        "Tens of thousands of people are missing in Mexico, and their mothers lead the "
                        "search. Stand with them: write to the authorities who must find the disappeared."
                    ),
                    "hero_caption": "An abstract banner made for the demo site.",
                    "body": [
                        *h("Families who refuse to stop looking"),
                        *p(
                            "By 2020 more than 61,600 people had been reported missing in Mexico; the "
                            "figure had passed 40,000 only a year earlier. Their families, most often their "
                            "mothers, have built search networks and a national movement of their own. "
                            "Their pressure brought a National Search System and specialised investigators, "
                            "but most families are still waiting for answers.",
                        ),
                        *h("Marching on 10 May"),
                        *p(
                            "Mother's Day in Mexico falls on 10 May. Each year, mothers of the disappeared "
                            "take to the streets that day in a march for dignity, carrying the photographs "
                            "of their sons and daughters. Supporters abroad answer with solidarity cards, "
                            "collected through May and until the first week of June, and every card signed "
                            "on paper counts alongside the letters sent from this site.",
                        ),
                        *h("Ayotzinapa"),
                        *p(
                            "On 26 September 2014, police attacked buses carrying students from the rural "
                            "teacher training college of Ayotzinapa. Forty-three of the students were taken "
                            "away and have never been seen again. Their parents have become the best-known "
                            "voices of a movement that speaks for every disappeared person.",
                            "On 20 November 2018, a delegation in Ottawa met Mexico's ambassador to Canada "
                            "and the embassy's secretary for legal affairs, and handed over more than 35,000 "
                            "messages for the 43 students and other victims.",
                        ),
                        *quote(
                            "Searching for the disappeared is the duty of the state, not a burden for their mothers to carry alone.",
                            "Urgent Action 121/26",
                        ),
                        *h("What to ask"),
                        *p(
                            "Write to the federal Attorney General and the National Search Commission, in "
                            "Spanish or your own language. Ask them to search for every disappeared person "
                            "with the resources it takes, to investigate and prosecute those responsible, and "
                            "to protect the families who search. Your letter is also copied to the Embassy of "
                            "Mexico in your country.",
                        ),
                    ],
                },
                "es": {
                    "title": "Personas desaparecidas: verdad, justicia y una búsqueda de verdad",
                    "summary": (
                        "En México hay decenas de miles de personas desaparecidas, y son sus madres quienes "
                        "encabezan la búsqueda. Acompáñalas: escribe a las autoridades que deben encontrarlas."
                    ),
                    "hero_caption": "Un cartel abstracto creado para el sitio de demostración.",
                    "body": [
                        *h("Familias que no dejan de buscar"),
                        *p(
                            "En 2020 ya se habían denunciado más de 61.600 personas desaparecidas en México; "
                            "apenas un año antes la cifra había superado las 40.000. Sus familias, casi "
                            "siempre sus madres, han formado redes de búsqueda y un movimiento nacional "
                            "propio. Gracias a su presión nacieron un Sistema Nacional de Búsqueda y "
                            "fiscalías especializadas, pero la mayoría de las familias sigue esperando "
                            "respuestas.",
                        ),
                        *h("La marcha del 10 de mayo"),
                        *p(
                            "El Día de las Madres en México es el 10 de mayo. Cada año, ese día, las madres "
                            "de personas desaparecidas salen a la calle en una marcha por la dignidad, con "
                            "las fotografías de sus hijas e hijos. Desde otros países se responde con "
                            "tarjetas de solidaridad, que se recogen durante mayo y hasta la primera semana "
                            "de junio, y cada tarjeta firmada en papel cuenta junto a las cartas enviadas "
                            "desde este sitio.",
                        ),
                        *h("Ayotzinapa"),
                        *p(
                            "El 26 de septiembre de 2014, la policía atacó los autobuses en los que viajaban "
                            "estudiantes de la Escuela Normal Rural de Ayotzinapa. Cuarenta y tres de ellos "
                            "fueron llevados y nunca se les volvió a ver. Sus madres y padres se han "
                            "convertido en las voces más conocidas de un movimiento que habla por todas las "
                            "personas desaparecidas.",
                            "El 20 de noviembre de 2018, una delegación se reunió en Ottawa con el embajador "
                            "de México en Canadá y con el secretario de asuntos jurídicos de la embajada, y "
                            "les entregó más de 35.000 mensajes por los 43 estudiantes y otras víctimas.",
                        ),
                        *quote(
                            "Buscar a las personas desaparecidas es una obligación del Estado, no una carga que sus madres deban llevar solas.",
                            "Acción Urgente 121/26",
                        ),
                        *h("Qué pedir"),
                        *p(
                            "Escribe al Fiscal General de la República y a la Comisión Nacional de Búsqueda, "
                            "en español o en tu propio idioma. Pídeles que busquen a cada persona "
                            "desaparecida con los medios necesarios, que investiguen y juzguen a los "
                            "responsables y que protejan a las familias que buscan. Tu carta se envía también "
                            "en copia a la Embajada de México en tu país.",
                        ),
                    ],
                },
            },
        },
    ]  # fmt: skip


# Sample letters, by UA number and language. The Spanish ones are what Mexican officials
# read, so they are the letters; the English ones go to embassies that take English and sit
# beside the Spanish for supporters who read English. LetterTemplate.language takes only
# the site's languages (en, es), so there are no German or French samples: the embassies in
# Germany and France get the supporter's language (letters.composing.letter_language).
# Each body opens with {salutation} and never assumes the reader's gender: one text goes to
# every target of its language (a Comisionado and a Secretaria alike).
SIGNATURE_ES = "Atentamente,\n\n{supporter_name}\n{supporter_city}\n{supporter_country}"
SIGNATURE_EN = "Yours sincerely,\n\n{supporter_name}\n{supporter_city}\n{supporter_country}"


def letter(subject: str, *paragraphs: str) -> dict:
    """A sample letter: blank lines between the paragraphs."""
    return {"subject": subject, "body": "\n\n".join(paragraphs)}


LETTERS = {
    "58/20": {
        "es": letter(
            "Restablezcan la protección de Clemencia Adelaida Salas Salazar (AU {ua_number})",
            "{salutation}:",
            "Me dirijo a usted con honda preocupación por la seguridad de Clemencia Adelaida Salas "
            "Salazar, defensora de los derechos sexuales y reproductivos de las mujeres en el estado "
            "de Yucatán.",
            "El 30 de marzo de 2020, las autoridades estatales de Seguridad Pública retiraron a los "
            "dos agentes de policía asignados a su protección y los sustituyeron por un solo agente "
            "con funciones limitadas, con el argumento de las restricciones por la pandemia. La "
            "señora Salas Salazar ya ha sufrido amenazas y agresiones a causa de su labor, y esta "
            "decisión la deja más expuesta a nuevos ataques.",
            "Las medidas sanitarias son necesarias, pero nunca pueden ser motivo para dejar sin "
            "protección a una persona defensora de derechos humanos. Por ello, le pido "
            "respetuosamente que:",
            "- restablezca de inmediato todas las medidas de protección de Clemencia Adelaida Salas "
            "Salazar, en consulta con ella y con el Mecanismo federal de Protección para Personas "
            "Defensoras de Derechos Humanos;\n"
            "- ordene una investigación pronta, exhaustiva e imparcial de las amenazas y agresiones "
            "que ha sufrido, y que se lleve ante la justicia a los responsables;\n"
            "- garantice que ninguna persona defensora en Yucatán quede sin la protección que "
            "necesita a causa de la emergencia sanitaria.",
            "Agradezco de antemano su atención y quedo a la espera de su respuesta.",
            SIGNATURE_ES,
        ),
        "en": letter(
            "Restore the protection of Clemencia Adelaida Salas Salazar (UA {ua_number})",
            "{salutation},",
            "I am writing to you with deep concern for the safety of Clemencia Adelaida Salas "
            "Salazar, who defends the sexual and reproductive rights of women in the state of "
            "Yucatán.",
            "On 30 March 2020, the state's Public Security officials withdrew the two police "
            "officers assigned to protect her and replaced them with a single officer on limited "
            "duties, citing the restrictions of the pandemic. Ms Salas Salazar has already faced "
            "threats and attacks because of her work, and this decision leaves her more exposed to "
            "further harm.",
            "Health measures are necessary, but they can never be a reason to leave a human rights "
            "defender unprotected. I therefore respectfully urge you to:",
            "- restore all of Clemencia Adelaida Salas Salazar's protection measures without delay, "
            "in consultation with her and with the federal Protection Mechanism for Human Rights "
            "Defenders;\n"
            "- order a prompt, thorough and impartial investigation into the threats and attacks "
            "against her, and bring those responsible to justice;\n"
            "- ensure that no human rights defender in Yucatán is left without the protection they "
            "need because of the health emergency.",
            "Thank you for your attention. I look forward to your reply.",
            SIGNATURE_EN,
        ),
    },
    "114/26": {
        "es": letter(
            "Acceso de la sociedad civil a las estaciones migratorias (AU {ua_number})",
            "{salutation}:",
            "Me dirijo a usted con preocupación por la decisión del Instituto Nacional de Migración "
            "(INM) de suspender el acceso de todas las asociaciones religiosas y organizaciones no "
            "gubernamentales a las estaciones migratorias. Horas después del anuncio, la Secretaría "
            "de Gobernación se desmarcó de esa decisión, y hoy no está claro si las organizaciones "
            "pueden ingresar o no.",
            "Ya antes de este anuncio, varias organizaciones habían informado de dificultades para "
            "ingresar a estaciones migratorias de la frontera sur y de la Ciudad de México. Todo "
            "ello ocurre justo después de que se detuviera una caravana de personas migrantes, en "
            "su mayoría hondureñas, y de que, según la información disponible, más de 2.000 "
            "personas fueran deportadas a Honduras en nueve días. Desde hace años, las "
            "organizaciones de defensa de las personas migrantes denuncian hacinamiento y malos "
            "tratos en estos centros, así como presiones sobre las personas solicitantes de asilo "
            "para que desistan de su solicitud. La presencia de observadores independientes es una "
            "garantía para las personas detenidas y también para las propias autoridades.",
            "Por ello, le pido respetuosamente que, en el ámbito de sus competencias:",
            "- garantice de inmediato el acceso de las organizaciones de la sociedad civil y de las "
            "asociaciones religiosas a todas las estaciones migratorias del país, como recomiendan "
            "los mecanismos de las Naciones Unidas;\n"
            "- aclare públicamente si la suspensión anunciada por el INM sigue vigente y, en tal "
            "caso, la deje sin efecto;\n"
            "- haga pública información clara sobre las medidas que se toman para proteger a las "
            "personas migrantes y solicitantes de asilo bajo custodia del Estado, en particular "
            "frente al hacinamiento y los malos tratos;\n"
            "- asegure que ninguna persona sea presionada para abandonar su solicitud de asilo ni "
            "deportada sin que se haya examinado debidamente su necesidad de protección.",
            "Agradezco su atención y quedo a la espera de su respuesta.",
            SIGNATURE_ES,
        ),
        "en": letter(
            "Civil-society access to migrant detention centres (UA {ua_number})",
            "{salutation},",
            "I am writing to you with concern about the decision of the National Institute of "
            "Migration (INM) to suspend the access of all religious associations and "
            "non-governmental organisations to migrant detention centres. Hours after the "
            "announcement, the Ministry of the Interior distanced itself from the decision, and it "
            "is now unclear whether organisations may enter or not.",
            "Even before the announcement, several organisations had reported difficulties in "
            "entering detention centres on the southern border and in Mexico City. All this comes "
            "just after a caravan of migrants, most of them from Honduras, was stopped, and after "
            "more than 2,000 people were reportedly deported to Honduras in nine days. For years, "
            "migrant-rights organisations have denounced overcrowding and ill-treatment in these "
            "centres, and pressure on asylum seekers to abandon their claims. The presence of "
            "independent observers protects the people held there, and the authorities too.",
            "I therefore respectfully urge you, within your responsibilities, to:",
            "- guarantee civil-society organisations and religious associations immediate access "
            "to every migrant detention centre in the country, as United Nations bodies "
            "recommend;\n"
            "- state publicly whether the suspension announced by the INM is still in force and, "
            "if it is, revoke it;\n"
            "- publish clear information on the measures taken to protect migrants and asylum "
            "seekers in the state's custody, in particular against overcrowding and "
            "ill-treatment;\n"
            "- ensure that no one is pressured to give up their asylum claim or deported without a "
            "proper assessment of their need for protection.",
            "Thank you for your attention. I look forward to your reply.",
            SIGNATURE_EN,
        ),
    },
    "121/26": {
        "es": letter(
            "Búsqueda, verdad y justicia para las personas desaparecidas (AU {ua_number})",
            "{salutation}:",
            "Me dirijo a usted para expresar mi profunda preocupación por las decenas de miles de "
            "personas desaparecidas en México. En 2020 ya se habían denunciado más de 61.600 "
            "desapariciones, y detrás de cada una hay una familia que busca, casi siempre "
            "encabezada por una madre.",
            "Las familias han formado redes de búsqueda y un movimiento nacional, y gracias a su "
            "empeño existen hoy un Sistema Nacional de Búsqueda y fiscalías especializadas. Sin "
            "embargo, la mayoría sigue sin respuestas, y muchas buscan por su cuenta, con sus "
            "propios medios y a riesgo de su seguridad. Los 43 estudiantes de la Escuela Normal "
            "Rural de Ayotzinapa, desaparecidos tras el ataque policial del 26 de septiembre de "
            "2014, no han sido encontrados, y sus madres y padres siguen esperando la verdad.",
            "Buscar a las personas desaparecidas es una obligación del Estado, no una carga que "
            "las madres deban llevar solas. Por ello, pido respetuosamente a las autoridades "
            "mexicanas, y en particular a la Fiscalía General de la República y a la Comisión "
            "Nacional de Búsqueda de Personas, que:",
            "- busquen a todas las personas desaparecidas con los recursos humanos, técnicos y "
            "económicos necesarios, en coordinación con sus familias;\n"
            "- investiguen cada desaparición con prontitud, exhaustividad e imparcialidad, y "
            "lleven ante la justicia a los responsables, también en el caso Ayotzinapa;\n"
            "- protejan frente a amenazas y represalias a las madres y familiares que buscan, y a "
            "quienes las acompañan;\n"
            "- informen periódicamente a las familias de los avances de la búsqueda y de las "
            "investigaciones.",
            "Le ruego que tome en cuenta estas peticiones y que las haga llegar a todas las "
            "autoridades con competencia en la materia. Quedo a la espera de su respuesta.",
            SIGNATURE_ES,
        ),
        "en": letter(
            "Search, truth and justice for the disappeared (UA {ua_number})",
            "{salutation},",
            "I am writing to you to express my deep concern for the tens of thousands of people "
            "who have disappeared in Mexico. By 2020 more than 61,600 disappearances had been "
            "reported, and behind each one is a family that searches, most often led by a mother.",
            "The families have built search networks and a national movement, and thanks to their "
            "efforts there is now a National Search System and specialised prosecutors. Yet most "
            "families still have no answers, and many search on their own, with their own means "
            "and at risk to their safety. The 43 students of the Ayotzinapa rural teacher training "
            "college, taken after the police attack of 26 September 2014, have never been found, "
            "and their mothers and fathers are still waiting for the truth.",
            "Searching for the disappeared is the duty of the state, not a burden for their "
            "mothers to carry alone. I therefore respectfully urge the Mexican authorities, in "
            "particular the Attorney General's Office (Fiscalía General de la República) and the "
            "National Search Commission, to:",
            "- search for every disappeared person with the staff, expertise and funds it takes, "
            "working together with their families;\n"
            "- investigate every disappearance promptly, thoroughly and impartially, and bring "
            "those responsible to justice, in the Ayotzinapa case too;\n"
            "- protect the mothers and relatives who search, and those who accompany them, from "
            "threats and reprisals;\n"
            "- keep the families regularly informed of the progress of the search and of the "
            "investigations.",
            "I ask you to consider these requests and to convey them to every authority "
            "responsible. I look forward to your reply.",
            SIGNATURE_EN,
        ),
    },
}


HOME = {
    "slug": "home",
    "en": {
        "title": "Write for their rights",
        "intro": (
            "<p>When someone is in danger for who they are or for the rights they defend, letters "
            "from strangers in many countries can change what an official decides. Choose a case, "
            "sign, or write in Spanish or in your own language.</p>"
        ),
        "body": [
            *h("How an Urgent Action works"),
            *p(
                "Each case has a number, the officials who can act, and a deadline. You write to "
                "those officials; we deliver your letter by email, and we tell you when the case "
                "changes or when someone replies.",
                "Your letter goes out under your name, but your email and postal address stay with "
                "us. Officials only ever see the words you chose to send.",
            ),
            *quote(
                "One letter is easy to set aside. Thousands, arriving from many countries in many "
                "languages, tell an official that the world is paying attention.",
                "Why we write",
            ),
        ],
    },
    "es": {
        "title": "Escribe por sus derechos",
        "intro": (
            "<p>Cuando alguien corre peligro por quién es o por los derechos que defiende, las cartas "
            "de desconocidos de muchos países pueden cambiar lo que decide una autoridad. Elige un "
            "caso, firma o escribe en español o en tu propio idioma.</p>"
        ),
        "body": [
            *h("Cómo funciona una Acción Urgente"),
            *p(
                "Cada caso tiene un número, las autoridades que pueden actuar y una fecha límite. Tú "
                "les escribes; nosotros entregamos tu carta por correo electrónico y te avisamos "
                "cuando el caso cambia o cuando alguien responde.",
                "Tu carta sale con tu nombre, pero tu correo y tu dirección postal se quedan con "
                "nosotros. Las autoridades solo ven las palabras que decidiste enviar.",
            ),
            *quote(
                "Una carta se deja a un lado con facilidad. Miles, llegadas de muchos países y en "
                "muchos idiomas, le dicen a una autoridad que el mundo está mirando.",
                "Por qué escribimos",
            ),
        ],
    },
}

ACTION_INDEX = {
    "slug": "actions",
    "en": {
        "title": "Urgent Actions",
        "intro": (
            "<p>Open cases come first, with the nearest deadline at the top. Closed cases stay "
            "here with their outcome, so you can see what letters achieved.</p>"
        ),
    },
    "es": {
        "title": "Acciones urgentes",
        "intro": (
            "<p>Primero aparecen los casos abiertos, con la fecha límite más cercana arriba. Los "
            "casos cerrados siguen aquí con su resultado, para que veas lo que lograron las "
            "cartas.</p>"
        ),
    },
}

PRIVACY = {
    "slug": "privacy",
    "en": {
        "title": "Privacy",
        "body": [
            *p(
                "People who act on our cases are often writing about powerful officials. We collect "
                "as little as we can about you, we never pass your contact details to the officials "
                "you write to, and you can see and erase what we hold at any time."
            ),
            *h("When you sign"),
            *p(
                "We store your name, your email address, your country and, if you give them, your "
                "postal code and city; the case you signed; the date; and the exact wording of any "
                "consent you ticked. We count signatures by country for the handover, and we only "
                "pass on your name if you agreed to that for that case."
            ),
            *h("When you write a letter"),
            *p(
                "We store the letter you wrote, which officials it went to, and whether it was "
                "delivered and answered. The letter is sent from our own address with your name; "
                "officials never see your email address or your postal address. Replies come back "
                "to us, and we pass them on to you or publish them on the case page."
            ),
            *h("Consent"),
            *p(
                "Signing or writing needs no consent beyond the action itself. Updates on a case, "
                "news of new cases, and sharing your name with the recipient are each a separate "
                "choice, off until you tick it, and you can withdraw any of them with one click in "
                "any email we send."
            ),
            *h("How long we keep it"),
            *p(
                "We keep your details while a case is open and for six months after it closes, "
                "so we can tell you its outcome. After that, names and email addresses are removed "
                "and only the counts remain. If you asked to hear about new cases, we keep your "
                "email address for that until you unsubscribe."
            ),
            *h("Seeing and erasing your data"),
            *p(
                "Follow the link at the foot of any email from us, or write to privacy@example.org, "
                "and we will send you a link to a page showing everything we hold about you, with a "
                "button to erase it. Erasing removes your name and addresses for good; the totals "
                "you helped to build stay as they are. "
                "You can also complain to your data protection authority."
            ),
        ],
    },
    "es": {
        "title": "Privacidad",
        "body": [
            *p(
                "Quienes actúan en nuestros casos escriben a menudo a autoridades con mucho poder. "
                "Recogemos lo mínimo posible sobre ti, nunca damos tus datos de contacto a las "
                "autoridades a las que escribes y puedes ver y borrar lo que guardamos cuando quieras."
            ),
            *h("Cuando firmas"),
            *p(
                "Guardamos tu nombre, tu correo electrónico, tu país y, si nos los das, tu código "
                "postal y tu ciudad; el caso que firmaste; la fecha; y el texto exacto de cada "
                "consentimiento que marcaste. Contamos las firmas por país para la entrega, y solo "
                "comunicamos tu nombre si lo aceptaste para ese caso."
            ),
            *h("Cuando escribes una carta"),
            *p(
                "Guardamos la carta que escribiste, a qué autoridades se envió y si se entregó y "
                "se respondió. La carta sale desde nuestra propia dirección con tu nombre; las "
                "autoridades nunca ven tu correo ni tu dirección postal. Las respuestas nos llegan a "
                "nosotros y te las hacemos llegar o las publicamos en la página del caso."
            ),
            *h("Consentimiento"),
            *p(
                "Firmar o escribir no requiere más consentimiento que la propia acción. Recibir "
                "novedades de un caso, recibir casos nuevos y comunicar tu nombre al destinatario son "
                "decisiones separadas, desactivadas hasta que las marques, y puedes retirar "
                "cualquiera de ellas con un clic en cualquier correo que te enviemos."
            ),
            *h("Cuánto tiempo lo guardamos"),
            *p(
                "Guardamos tus datos mientras el caso está abierto y durante seis meses después de "
                "su cierre, para poder contarte el resultado. Después se borran los nombres y los "
                "correos y solo quedan los recuentos. Si pediste recibir casos nuevos, guardamos tu "
                "correo para eso hasta que te des de baja."
            ),
            *h("Ver y borrar tus datos"),
            *p(
                "Sigue el enlace al pie de cualquier correo nuestro, o escribe a privacy@example.org, "
                "y te enviaremos un enlace a una página con todo lo que guardamos sobre ti y un botón "
                "para borrarlo. Al borrarlo, tu nombre y tus direcciones desaparecen para siempre; los "
                "totales a los que contribuiste no cambian. También puedes reclamar ante tu autoridad de protección de datos."
            ),
        ],
    },
}
