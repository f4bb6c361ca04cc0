"""The cast of the illustrative Tweetstorm: moderator, participants, bystanders, third parties.

All handles and names are invented. Some display names carry non-ASCII letters on purpose.
"""

HASHTAG = "plnstorm"
MODERATOR = ("plnstorm_mod", "PLN Tweetstorm", "Moderator account of the #plnstorm on personal "
             "learning networks. Questions & summaries here.")

# handle, display name, role, sector
PARTICIPANTS: list[tuple[str, str, str, str]] = [
    ("anna_lmc", "Anna Lemaire", "teacher", "school"),
    ("jose_edtech", "José Ortega", "learning designer", "corporate"),
    ("zoe_learns", "Zoë Papadaki", "researcher", "higher education"),
    ("soren_hansen", "Søren Hansen", "teacher", "higher education"),
    ("malgosia_k", "Małgorzata Kowalska", "researcher", "higher education"),
    ("juergen_w", "Jürgen Weiß", "manager", "corporate"),
    ("francoise_b", "Françoise Bernard", "teacher", "school"),
    ("kaitlin_r", "Kaitlin Reid", "student", "higher education"),
    ("mark_teaches", "Mark Jansen", "teacher", "school"),
    ("priya_s", "Priya Sharma", "learning designer", "higher education"),
    ("tom_vdberg", "Tom van den Berg", "manager", "public sector"),
    ("lieke_online", "Lieke de Vries", "teacher", "school"),
    ("eleni_m", "Eleni Markou", "researcher", "public sector"),
    ("dr_okafor", "Chidi Okafor", "researcher", "higher education"),
    ("sarah_ld", "Sarah Lindqvist", "learning designer", "corporate"),
    ("ben_corp_ld", "Ben Walsh", "manager", "corporate"),
    ("marta_edu", "Marta Nowak", "student", "higher education"),
    ("kees_pln", "Kees Smit", "learning designer", "public sector"),
    ("ingrid_h", "Ingrid Hølmebakk", "teacher", "higher education"),
    ("paolo_r", "Paolo Rossi", "manager", "public sector"),
    ("nuria_g", "Núria Garcia", "student", "higher education"),
    ("ahmed_t", "Ahmed Tahir", "teacher", "school"),
    ("helen_mcl", "Helen McLeod", "learning designer", "corporate"),
    ("rik_student", "Rik Peeters", "student", "school"),
    ("yuki_learn", "Yuki Tanaka", "researcher", "corporate"),
]



def cast(n: int | None = None) -> list[tuple[str, str, str, str]]:
    """The participants of a study of ``n`` participants (default: the 25 above, unchanged).

    A larger study keeps the 25 and adds invented learners ``learner_0026``, ... whose roles and
    sectors cycle through those of the 25 (for the scale benchmarks)."""
    if n is None or n == len(PARTICIPANTS):
        return list(PARTICIPANTS)
    if n < len(PARTICIPANTS):
        raise ValueError(f"at least {len(PARTICIPANTS)} participants (the illustrative cast), not {n}")
    extra = [(f"learner_{i + 1:04d}", f"Learner {i + 1}", *PARTICIPANTS[i % len(PARTICIPANTS)][2:])
             for i in range(len(PARTICIPANTS), n)]
    return list(PARTICIPANTS) + extra


# Accounts that post under the hashtag but never answer (role off_topic / retweet).
BYSTANDERS: list[tuple[str, str, str]] = [
    ("curious_carl", "Carl Becker", "Just curious. Coffee, cycling, code."),
    ("elearn_webinars", "eLearning Webinars", "Free webinars on e-learning & social learning!"),
    ("lurking_lou", "Lou Martens", "Reading more than writing."),
    ("annekevdb", "Anneke van der Berg", "Docent, Utrecht. Tweets in NL & EN."),
]

# Third parties: mentioned in tweets and named as PLN contacts; never post in the export.
THIRD_PARTIES: list[str] = [
    "edu_maria", "learnwithleo", "profdekker", "hannah_ple", "connectivist_cj", "openedjan",
    "mooc_marit", "ruthlearns", "digital_dave", "ple_pieter", "elearning_eva", "sociallearnsam",
    "wikiwouter", "teachtech_tina", "lisa_moocs", "researchrob", "phd_femke", "kmworld_ken",
    "cop_carla", "networkednick", "openpraxis_olga", "lak_lars", "blended_bea", "hrdev_hugo",
    "curator_cleo", "edblog_ed", "nina_learns", "olearn_omar", "tess_tel", "victor_vle",
    "ward_wiki", "xena_ux", "yara_edu", "zeb_learn", "maker_mila", "stats_stijn", "gamify_gus",
    "pkm_petra", "coach_quinn", "lib_lotte",
]

GROUPS = ["#edchat", "#lrnchat", "#ukedchat", "#elearning", "LinkedIn: E-learning professionals",
          "LinkedIn: Learning & Development NL", "local teacher meetup", "Google+ PLE community",
          "EDEN research network", "school staff Yammer", "#phdchat", "TeachMeet Scotland"]
RESOURCES = ["Wikipedia", "Stack Overflow", "TED talks", "Educational Technology & Society",
             "British Journal of Educational Technology", "Slideshare", "YouTube", "Diigo groups",
             "Google Scholar", "Khan Academy", "the OER Commons", "podcasts"]

SOURCES = ["Twitter Web Client", "TweetDeck", "Twitter for iPhone", "Twitter for Android",
           "HootSuite", "Tweetchat", "Twitter for iPad"]

# Role -> per question the codes this role raises more often (weight x ROLE_BOOST_FACTOR): the
# mild association
# between participants' roles and the categories they raise (documented in data/README.md).
ROLE_BOOST: dict[str, dict[str, list[str]]] = {
    "teacher": {"Q1": ["sharing", "feedback"], "Q2": ["reciprocity"],
                "Q3": ["task_performance", "awareness_and_understanding"],
                "Q4": ["sense_of_community", "reflection"]},
    "researcher": {"Q1": ["personal_learning", "peer_value"],
                   "Q2": ["status_and_reputation", "different_perspectives"],
                   "Q3": ["academic_knowledge_and_skills", "judgement"],
                   "Q4": ["exposure_to_expertise", "scepticism"]},
    "learning designer": {"Q1": ["peer_characteristics", "perceived_value"],
                          "Q2": ["innovation", "social_media_and_collaboration"],
                          "Q3": ["teamwork"], "Q4": ["serendipity"]},
    "manager": {"Q1": ["perceived_value", "trust_and_support"], "Q2": ["networking_strategies"],
                "Q3": ["decision_making_and_problem_solving", "role_performance"],
                "Q4": ["information_overload", "just_in_time_help"]},
    "student": {"Q1": ["motivation", "trust_and_support"], "Q2": ["intrinsic_motivation", "motivation"],
                "Q3": ["personal_development"], "Q4": ["just_in_time_help", "invisible_learning"]},
}
ROLE_BOOST_FACTOR = 8.0
# Salience: the paper lists each question's factors from most to least often raised; the sampling
# weight of a question's k-th category (codebook order) falls linearly from SALIENCE[0] for the
# first to SALIENCE[1] for the last, so the illustrative frequencies echo that ranking.
SALIENCE = (2.0, 0.6)
PERSONAL_SHAPE = 4.0  # shape of the per-person Gamma weights on top of the role boost
