"""Wording of the generated tweets: answer cores per true category and conversational chatter.

Each category has several cores with varied wording; the generator adds openers, emoji, URLs,
mentions and the hashtag. Cores stay short (<= 90 characters) so a tweet fits in 140.
"""

ANSWER_CORES: dict[str, dict[str, list[str]]] = {
    "Q1": {
        "sharing": [
            "sharing what works in my classroom with others",
            "to share resources & ideas, not keep them in a drawer",
            "passing on good links I find, someone always needs them",
            "share my experiences so others don't reinvent the wheel",
            "giving away what I know: slides, lesson plans, tips",
        ],
        "motivation": [
            "keeping myself motivated, my PLN gets me going",
            "it keeps the fire burning when work gets dull",
            "staying energised. Seeing others try things motivates me",
            "motivation! Hard to stay inspired on your own",
        ],
        "perceived_value": [
            "my network is the most valuable source I have",
            "it's worth every minute I put into it",
            "it pays off: more value than any conference I went to",
            "the network as a whole is my lifeline for ideas",
        ],
        "feedback": [
            "getting feedback on my ideas before I try them",
            "I post drafts & ask for honest comments",
            "feedback on my teaching from people outside my school",
            "testing my thinking: people tell me where I'm wrong",
            "quick reactions to my blog posts help me improve them",
        ],
        "personal_learning": [
            "staying up to date in my field",
            "learning something new every single day",
            "my own professional learning, keeping my skills current",
            "picking up new knowledge I'd never find in a course",
        ],
        "trust_and_support": [
            "knowing there are people I trust when I'm stuck",
            "support: a safe place to ask 'stupid' questions",
            "finding encouragement when things go wrong at work",
            "people who have my back & will help me out",
        ],
        "peer_characteristics": [
            "finding like-minded people who care about the same things",
            "connecting with people who are more expert than me",
            "meeting peers from very different backgrounds",
            "finding active, curious people, not lurkers",
        ],
        "peer_value": [
            "a handful of specific people whose insights I value most",
            "learning from particular peers, each adds something unique",
            "some people in my PLN are worth more than any textbook",
            "those few peers who always point me to the good stuff",
        ],
    },
    "Q2": {
        "different_perspectives": [
            "hearing views from outside my own bubble",
            "other sectors & countries see things so differently",
            "perspectives I never get inside my own organisation",
            "people from other disciplines challenge my assumptions",
        ],
        "motivation": [
            "the buzz of the network pushes me to keep going",
            "others' enthusiasm is contagious, it motivates me",
            "it keeps me motivated when I'd otherwise give up",
            "seeing peers progress motivates me to do the same",
        ],
        "social_media_and_collaboration": [
            "tools like Twitter make collaborating so easy",
            "co-creating with people I'd never meet otherwise",
            "social media lowers the barrier to work together",
            "we write & build things together across time zones",
        ],
        "reciprocity": [
            "give and take. People helped me, so I help back",
            "paying it forward, I owe my PLN a lot",
            "it's reciprocal: I share, others share with me",
            "helping others when they helped me feels only fair",
        ],
        "intrinsic_motivation": [
            "pure curiosity, I just love learning new stuff",
            "it's fun! Learning for its own sake",
            "my passion for the subject, nobody makes me do it",
            "I enjoy it, simple as that",
        ],
        "innovation": [
            "spotting new trends & ideas early",
            "finding innovations before they hit the mainstream",
            "new tools and ideas reach me first through my network",
            "staying ahead, seeing what's next in e-learning",
        ],
        "status_and_reputation": [
            "visibility, to be honest. Being known helps my career",
            "building a reputation in my field",
            "recognition from peers matters to me",
            "it opened doors: invitations, projects, a job offer",
        ],
        "networking_strategies": [
            "I deliberately build contacts I may need later",
            "I choose carefully whom to follow & connect with",
            "strategic: I grow my network around my projects",
            "I keep lists of people per topic and nurture them",
        ],
    },
    "Q3": {
        "task_performance": [
            "I do my daily tasks faster, found tools that save hours",
            "my lessons run smoother thanks to tips I picked up",
            "concrete tricks that make my work quicker",
            "I got better at the job itself, less trial & error",
        ],
        "awareness_and_understanding": [
            "a much better understanding of what learners struggle with",
            "more aware of what's going on in other schools",
            "I understand other people's contexts much better now",
            "awareness of issues I never noticed before",
        ],
        "personal_development": [
            "way more confidence to speak up and try things",
            "I grew as a person, more self-aware",
            "better at managing my own time & learning",
            "confidence! I present at conferences now",
        ],
        "teamwork": [
            "better at working in a team",
            "we now plan projects together across institutions",
            "learned to facilitate group work online",
            "collaborating got easier, we share the load",
        ],
        "role_performance": [
            "I became a better mentor for new colleagues",
            "leading my team with more ease",
            "better at my role as coordinator",
            "I supervise students with more care now",
        ],
        "academic_knowledge_and_skills": [
            "found key papers & methods for my PhD",
            "my knowledge of the literature grew a lot",
            "research skills: new methods, new theories",
            "I use evidence & theory more in my work",
        ],
        "decision_making_and_problem_solving": [
            "when stuck I ask & usually solve it within a day",
            "solving problems faster with input from others",
            "better decisions because I check options with my PLN",
            "I deal with complex problems with more ease",
        ],
        "judgement": [
            "more critical about sources",
            "I judge claims better, less hype-prone",
            "better judgement about what's worth my time",
            "I weigh evidence more carefully before I act",
        ],
    },
    "Q4": {
        "serendipity": [
            "mostly by accident, I stumble on gems",
            "serendipity! Best finds are the ones I wasn't looking for",
            "unplanned, a random tweet sends me down a rabbit hole",
            "it happens by chance, that's the magic",
        ],
        "just_in_time_help": [
            "help on demand: ask, get an answer in minutes",
            "it's there exactly when I need it",
            "just-in-time: a question at 11pm, an answer by 11:05",
            "like a helpdesk that never closes",
        ],
        "reflection": [
            "it makes me reflect on my own practice",
            "reading others' blogs makes me rethink what I do",
            "tweeting forces me to put my thinking into words",
            "I reflect more, sometimes uncomfortable but good",
        ],
        "exposure_to_expertise": [
            "like looking over the shoulders of experts",
            "I see how experts think, in real time",
            "close to people I used to only read about",
            "direct access to top people in my field",
        ],
        "sense_of_community": [
            "like being part of a big staffroom",
            "I feel I belong, even working alone",
            "it's a community, not just a network",
            "among peers who get it, that feels great",
        ],
        "information_overload": [
            "often overwhelming: too much to read, too little time",
            "information overload, I can't keep up",
            "drinking from a fire hose",
            "hard to filter, I miss most of it",
        ],
        "scepticism": [
            "I wonder if it's real learning or just an echo chamber",
            "a bit shallow sometimes, lots of retweeting, little depth",
            "not sure it's learning; more like staying informed",
            "careful: it's easy to confuse busy with learning",
        ],
        "invisible_learning": [
            "I rarely notice it while it happens",
            "only looking back do I see how much I learned",
            "it's tacit, hard to point at",
            "invisible until someone asks me where I got an idea",
        ],
    },
}

OPENERS = ["", "", "", "For me: ", "Mostly ", "Honestly, ", "Simple: ", "I'd say ", "Big one: ",
           "Hmm, ", "Definitely ", "Well, "]

EMOJI = ["😀", "👍", "💡", "🙌", "😊", ":-)", ";)", "☺"]

# Tails with non-ASCII letters, an "&" or a "<3": exercise unescaping in the ingest.
TAILS = [" (déjà vu for some, I guess)", " <3", " & I'm not alone in that", " – really.",
         " … at least for me", " (naïve? maybe)", " & more"]

# Second sentences that make some answers long (so some retweets get cut at 140 characters).
ADDENDA = [". Especially since I changed jobs last year", ". Took me years to see it that way",
           ". Didn't expect that when I joined Twitter", ". My colleagues at work don't get it yet",
           ". That's what keeps me coming back every evening", ". Never thought I'd say that",
           ". Sounds simple, but it made a real difference", ". Ask me again in a year",
           ". Same for most people I follow, I think", ". And it only takes 20 minutes a day"]

MENTION_LINES = ["h/t @{h}", "thanks to @{h}", "as @{h} always says", "cc @{h}", "via @{h}"]

URL_DOMAINS = [
    ("blog.example.org/pln-reflections", "blog.example.org/pln-reflecti…"),
    ("www.example.com/2012/11/learning-networks", "example.com/2012/11/learni…"),
    ("slideshare.example.net/pln-talk", "slideshare.example.net/pln-talk"),
    ("wiki.example.edu/ple/Main_Page", "wiki.example.edu/ple/Main_Page"),
]

WELCOME = [
    "Welcome to the #{tag}! Tonight: how we learn through our personal learning networks. Qs every 20 min",
    "How it works: I post Q1..Q4, you answer with A1..A4 & the #{tag} hashtag. Replies are fine too!",
]
COMING_UP = "Great answers so far! {q} coming up in a minute #{tag}"
THANKS = "That's it for tonight. Thank you all for a great #{tag}! Summary to follow on the blog"
PRE_EVENT = [
    "Tonight 20:00 CET: #{tag} on learning through personal learning networks. Join us!",
    "Reminder: #{tag} starts in one hour. Four questions, 90 minutes",
]

GREETINGS = [
    "Hi all, ready for the #{tag}!", "Hello from {city}! Looking forward to #{tag}",
    "Evening everyone #{tag}", "Joining #{tag} tonight, first time, be gentle :)",
    "Coffee ready, #{tag} here I come", "Hi from rainy {city} #{tag}",
    "Good evening! Lurking & learning tonight #{tag}", "Hey #{tag} people!",
]
CITIES = ["Heerlen", "Glasgow", "Tallinn", "Athens", "Brussels", "Leuven", "Oslo", "Kraków",
          "Zürich", "Sevilla", "Montréal", "Utrecht"]

THANKYOUS = [
    "Thanks all, great #{tag} tonight!", "Loved it, thanks @{mod} #{tag}",
    "Lots to think about, thanks everyone #{tag}", "Great chat, see you next time #{tag}",
    "My head is spinning :) thx #{tag}", "Fab discussion, bedtime now #{tag}",
]

CONVERSATION = [
    "Agree, same for me", "So true!", "Interesting, can you give an example?",
    "Hadn't thought of it that way", "Exactly my experience", "Ha, recognisable!",
    "Good point, but isn't that a lot of work?", "+1", "Nice, will steal that idea",
    "How do you find the time?", "That's brilliant", "Yes!! Couldn't agree more",
    "Wow, that's a strong claim", "Same here, especially at the start",
]
QUOTE_COMMENTS = [
    "This.", "Worth reading", "Spot on", "Love this answer", "Important point here",
    "So much this", "Great way to put it",
]
NON_PARTICIPANT = [
    "What is this #{tag} everyone is talking about?",
    "Free webinar on social learning next week, sign up now! #{tag} #elearning",
    "Interesting stream tonight at #{tag}",
    "Wat een leuke discussie bij #{tag}",
]
POST_EVENT = [
    "Still thinking about tonight's #{tag}",
    "Blog post with my take on the #{tag} coming tomorrow",
]
