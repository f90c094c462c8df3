"""Write a reproducible synthetic notes folder of about N statements, for timing custlens on large corpora.

    python bench/make_corpus.py N [--out DIR] [--seed S] [--force]

The notes are customer research on "Slotwise", a fictional scheduling, invoicing and client-management
product for small and large businesses. The folder holds:

- Markdown interview-style notes (interview, sales-call, usability-test, cancellation, ...) with front
  matter and Pains / Needs / Quotes / Observations sections, one per participant visit (P-xxxxx; each
  participant has 1 to 3 notes), in `<year>/<date>-<segment>-<participant>.md`;
- YAML batches of survey answers (R-xxxxx) and support tickets (T-xxxxx), 20 to 200 entries a file,
  in `<year>/exports/<date>-<kind>-export-<k>.yaml` (about 30% of all notes).

Every note states at least one need, so `custlens check DIR` passes. Each statement comes from one of
about 220 underlying needs and pains (about 110 topics, each with a need and a pain) whose popularity
follows a long tail, some of them found in one segment only. The same item is worded in many ways: sentence
templates, synonyms, context clauses, first-person quotes, typos, dropped words and varied casing and
punctuation. The total number of statements (bullets, quotes, observations, paragraphs, `text` fields and
follow-ups, as `custlens statements` counts them) is exactly N.

The default folder is `bench/corpora/<N>` (git-ignored); the default seed is 1. The same N and seed give
byte-identical files. Then, for example:

    custlens themes bench/corpora/100000 --format json --all
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import json
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

REPO_ROOT = Path(__file__).resolve().parent.parent
PRODUCT = "Slotwise"
T = TypeVar("T")
FIRST_DAY = dt.date(2024, 11, 1)
LAST_DAY = dt.date(2026, 10, 31)
SPAN_DAYS = (LAST_DAY - FIRST_DAY).days

# --- who and how ----------------------------------------------------------------------------------

SEGMENT_WEIGHTS: dict[str, float] = {
    "retail": 0.18,
    "hospitality": 0.14,
    "healthcare": 0.13,
    "education": 0.10,
    "agencies": 0.15,
    "trades": 0.12,
    "nonprofit": 0.07,
    "enterprise": 0.11,
}
SEGMENTS = tuple(SEGMENT_WEIGHTS)

MARKDOWN_KIND_WEIGHTS: dict[str, float] = {
    "interview": 0.45,
    "sales-call": 0.15,
    "usability-test": 0.12,
    "cancellation": 0.08,
    "observation": 0.05,
    "advisory-board": 0.04,
    "community": 0.04,
    "in-app-feedback": 0.04,
    "focus-group": 0.03,
}
RESEARCHER_WEIGHTS: dict[str, float] = {"ana": 0.26, "ben": 0.2, "chloe": 0.18, "dara": 0.14, "emeka": 0.12, "farah": 0.1}
VISITS_WEIGHTS = {1: 0.70, 2: 0.22, 3: 0.08}  # notes per participant
BATCH_SHARE = 0.30  # share of notes that live in YAML batches
MIN_BATCH, MAX_BATCH = 20, 200
MIN_STATEMENTS, MAX_STATEMENTS = 5, 20

SEGMENT_INFO: dict[str, dict[str, tuple[str, ...]]] = {
    "retail": {
        "units": ("stores", "shops", "branches"),
        "staff": ("staff", "sales assistants", "store managers"),
        "business": ("{n}-store retail chain", "independent shop with {n} staff", "gift shop group with {n} stores"),
        "roles": ("owner", "store manager", "operations lead", "finance lead"),
        "context": (" during the holiday rush", " on Saturdays", " after every stocktake"),
    },
    "hospitality": {
        "units": ("restaurants", "venues", "hotels"),
        "staff": ("waiters", "staff", "kitchen staff"),
        "business": ("{n}-venue restaurant group", "boutique hotel with {n} rooms", "cafe group with {n} sites"),
        "roles": ("general manager", "owner", "front-of-house manager", "bookkeeper"),
        "context": (" on Friday nights", " in the summer season", " when we have a wedding on"),
    },
    "healthcare": {
        "units": ("clinics", "practices", "treatment rooms"),
        "staff": ("therapists", "nurses", "practitioners"),
        "business": ("physio clinic with {n} therapists", "dental practice with {n} chairs", "{n}-site therapy group"),
        "roles": ("practice manager", "clinic owner", "receptionist", "clinical lead"),
        "context": (" for new patients", " for every follow-up", " when a therapist is off sick"),
    },
    "education": {
        "units": ("schools", "campuses", "studios"),
        "staff": ("teachers", "tutors", "instructors"),
        "business": ("music school with {n} teachers", "tutoring centre with {n} tutors", "{n}-campus language school"),
        "roles": ("head of admin", "school owner", "office manager", "course coordinator"),
        "context": (" before each term", " during exam season", " for every new class"),
    },
    "agencies": {
        "units": ("client accounts", "teams", "offices"),
        "staff": ("designers", "consultants", "account managers"),
        "business": ("{n}-person design agency", "marketing agency with {n} clients", "consultancy of {n} people"),
        "roles": ("managing director", "operations manager", "finance lead", "account director"),
        "context": (" for every client project", " at the end of each sprint", " for retainer clients"),
    },
    "trades": {
        "units": ("vans", "crews", "depots"),
        "staff": ("technicians", "engineers", "plumbers"),
        "business": ("plumbing firm with {n} vans", "electrical contractor with {n} crews", "{n}-van cleaning company"),
        "roles": ("owner", "dispatcher", "office manager", "site lead"),
        "context": (" when we're on site", " for emergency call-outs", " on the big jobs"),
    },
    "nonprofit": {
        "units": ("branches", "programmes", "community centres"),
        "staff": ("volunteers", "coordinators", "staff"),
        "business": ("community charity with {n} volunteers", "youth programme in {n} towns", "food bank with {n} sites"),
        "roles": ("volunteer coordinator", "director", "treasurer", "programme manager"),
        "context": (" for every event", " during the winter appeal", " when volunteers drop out"),
    },
    "enterprise": {
        "units": ("regional offices", "sites", "departments"),
        "staff": ("employees", "managers", "service agents"),
        "business": ("national retailer with {n} sites", "insurer with {n} regional offices", "{n}-site facilities group"),
        "roles": ("IT admin", "procurement lead", "head of operations", "security officer"),
        "context": (" across every department", " for the audit", " in every region"),
    },
}
COMMON_CONTEXT = (
    " every Monday", " at month end", " on busy days", " since the last update", " for the whole team",
    " every single week", " at the end of the day", " when we're busiest", " almost every day",
)
COUNTED_CONTEXT = (" for our {n} {units}", " across all {n} {units}", " with {n} {staff}")
COMPETITORS = ("Bookwell", "ShiftPilot", "Ledgerly", "Apptly", "CrewDesk", "Calendo", "InvoiceHive")
PLANS = ("Starter", "Team", "Business", "Enterprise")


# --- the underlying needs and pains ---------------------------------------------------------------


@dataclass(frozen=True)
class Topic:
    """One thing customers care about: the need, said as a verb phrase, and the pain, said as a clause."""

    label: str
    need: str
    pain: str
    segments: tuple[str, ...] = ()  # empty: every segment

    @property
    def tag(self) -> str:
        return self.label.replace(" ", "-")


def _topic(line: str) -> Topic:
    label, need, pain, *segments = (part.strip() for part in line.split("|"))
    return Topic(label, need, pain, tuple(segments[0].split()) if segments else ())


TOPICS: tuple[Topic, ...] = tuple(
    _topic(line)
    for line in """
calendar sync | sync the calendar both ways within a minute | the calendar sync lags by hours
double bookings | stop two clients from booking the same slot | clients get double-booked when two people book at once
invoice export | export invoices to the accounting software automatically | invoices have to be retyped into the accounting software by hand
appointment reminders | send appointment reminders by text the day before | clients forget their appointments because reminders only go out by email
online payments | take card payments when clients book online | clients can only pay in person so we chase money afterwards
deposits | ask for a deposit on online bookings | no-shows cost us money because nobody pays a deposit
overdue reminders | remind clients automatically when an invoice is overdue | chasing overdue invoices takes hours every week
staff calendars | give each staff member their own calendar with their own hours | all staff share one calendar and nobody can see who is free
self rescheduling | let clients reschedule from a link in the confirmation | clients call or text to move their appointment at all hours
mobile app speed | open the mobile app quickly on a slow connection | the mobile app is slow to load on a weak signal
offline mode | keep working in the app without signal and sync later | the app logs out with no signal and loses what was typed
recurring invoices | set up recurring invoices for regular clients | recurring invoices have to be created again every month
staff revenue report | see revenue per staff member in one report | the reports do not show revenue per staff member
report export | export any report to a spreadsheet | reports cannot be exported so numbers get copied by hand
client history | see the full history of a client on one screen | client history is spread over several screens
search | find a client by phone number or email | search only finds clients by their exact name
bulk edit | change many appointments at once | moving appointments one by one takes forever
waitlist | keep a waitlist that fills cancelled slots automatically | cancelled slots stay empty because there is no waitlist
booking page branding | put our own logo and colours on the booking page | the booking page looks generic and off-brand
permissions | limit what each staff member can see and change | every staff member can see all the financial data
tax rates | apply different tax rates per service | the invoices only allow one tax rate
multi currency | invoice clients in their own currency | invoices can only be in one currency
quotes to invoices | turn an accepted quote into an invoice in one click | every job gets typed twice, once as a quote and once as an invoice
payment links | send a payment link with every invoice | clients cannot pay an invoice online
contact import | import contacts from a spreadsheet without errors | importing contacts from a spreadsheet fails on accented names
duplicate contacts | merge duplicate contacts automatically | the client list is full of duplicate contacts
email templates | edit the wording of confirmation emails | the confirmation emails cannot be edited and sound robotic
notification settings | choose which notifications each person gets | staff get flooded with notifications they do not need
staff onboarding | get new staff set up in a few minutes | setting up a new staff member takes half a day
time zones | show bookings in the time zone of the client | bookings show the wrong time for clients in other time zones
google calendar | connect the personal Google Calendar of each person | personal Google calendars do not block booking slots
outlook sync | sync appointments with Outlook reliably | changes made in Outlook take hours to appear
buffer time | add buffer time between appointments | appointments are booked back to back with no time to travel or clean up
booking notice | set a minimum notice for online bookings | clients book online ten minutes before the slot
cancellation fees | charge a fee for late cancellations | late cancellations cost us money and there is no fee
receipts | email a receipt automatically after payment | receipts have to be sent by hand after each payment
partial payments | record partial payments against an invoice | partial payments cannot be recorded so invoices look unpaid
credit notes | issue a credit note for a refund | a refund means cancelling the invoice and starting again
invoice numbering | keep our own invoice numbering | the invoice numbers reset and clash with the old system
invoice layout | customise the layout of the PDF invoice | the PDF invoice layout is ugly and cannot be changed
sms costs | see what text reminders cost before sending | the text message bill is a surprise every month
two factor login | turn on two-factor login for everyone | logins are only protected by a password
data export | export all our data whenever we need it | there is no way to get all our data out
api | connect our other tools through an API | there is no API so the other tools do not talk to each other
zapier | trigger Zapier workflows when something is booked | the Zapier integration misses half the events
dashboard | see the bookings and payments of the day at a glance | the dashboard shows nothing useful for the day
no-show tracking | flag clients who often do not show up | repeat no-shows are not tracked anywhere
client notes | keep private notes on each client | notes about clients end up in a separate notebook
booking forms | ask our own questions when clients book | the booking form cannot ask our own questions
group bookings | let several people book one session together | group sessions have to be booked one person at a time
session packages | sell packages of sessions that count down | packages of sessions are tracked in a spreadsheet
gift cards | sell gift cards online | gift cards are handled on paper
loyalty | reward regular clients with points | there is no way to reward regular clients
reviews | ask clients for a review after their visit | asking for reviews is done by hand if at all
newsletter | send a simple newsletter to the client list | sending a newsletter means exporting the list to another tool
seat pricing | pay only for the staff who actually use it | the price per seat is too high for part-time staff
billing clarity | understand what is on the monthly bill | the monthly bill is confusing and keeps changing
support response | get an answer from support the same day | support takes days to answer a simple question
help articles | find clear help articles for common tasks | the help articles are outdated and hard to follow
calendar speed | load the calendar in under a second | the calendar view takes several seconds to load
calendar views | switch between day, week and month views easily | the week view is cramped and hard to read
resource booking | book rooms and equipment along with staff | rooms and equipment get double-booked
shift planning | plan staff shifts next to the bookings | staff shifts live in a separate spreadsheet
time off | let staff request time off in the app | time off requests come by text and get lost
payroll export | export worked hours to payroll | hours have to be added up by hand for payroll
bank reconciliation | match payments with bank transactions | matching payments to the bank statement takes a full day
expenses | record expenses against a job | expenses are tracked outside the product
client portal | give clients a portal with their invoices and bookings | clients email us for copies of old invoices
e-signatures | get quotes signed online | quotes are printed, signed and scanned
change history | see who changed an appointment and when | nobody knows who changed or deleted an appointment
undo | undo an accidental change | one wrong click deletes an appointment with no way back
keyboard shortcuts | use keyboard shortcuts at the front desk | the front desk has to click through too many screens
printed schedule | print a clean daily schedule | the printed schedule cuts off half the information
accessibility | use the booking page with a screen reader | the booking page does not work with a screen reader
languages | offer the booking page in several languages | the booking page is only in English
trial limits | try every feature during the trial | the trial hides the features we actually need
migration | move our data from the old system in one go | moving data from the old system is slow and manual
uptime | count on the app being up on busy days | the app went down on our busiest day
sync errors | see clearly when a sync has failed | sync errors fail silently and we find out from clients
notification delay | get booking notifications instantly | booking notifications arrive late
multi location | manage all store locations from one account | each store needs its own login and account | retail
point of sale | sync sales from the point of sale system | sales from the till have to be entered again | retail
stock tracking | track stock used for each service | stock levels are counted by hand | retail
table reservations | take table reservations with party sizes | table reservations do not handle party sizes | hospitality
shift swaps | let staff swap shifts without a manager | shift swaps go through the manager by phone | hospitality
seasonal hours | set seasonal opening hours in advance | seasonal opening hours have to be changed by hand each time | hospitality
intake forms | collect intake forms before the first visit | paper intake forms in the waiting room delay every first visit | healthcare
clinical privacy | keep clinical notes visible only to the practitioner | clinical notes are visible to the front desk | healthcare
insurance billing | bill insurers directly | insurance claims are filled in on a separate portal | healthcare
video sessions | start a video session from the appointment | video appointments need a separate link from another tool | healthcare
term schedules | set up class schedules for a whole term | every class for the term has to be created one by one | education
parent messages | message parents about lessons from the app | messages to parents go out from personal phones | education
attendance | take attendance for each class | attendance is kept on paper registers | education
timesheets | track time per project and bill it | hours are tracked in a spreadsheet and copied onto invoices | agencies
retainers | bill monthly retainers with extra hours on top | retainer invoices with extra hours are done by hand | agencies
project profit | see the profit of each client project | there is no way to tell which projects make money | agencies
job photos | attach photos to a job from the phone | job photos sit on personal phones | trades
route planning | plan the jobs of the day in a sensible route | technicians drive back and forth across town | trades
materials | add materials used on site to the invoice | materials used on site are forgotten on the invoice | trades
volunteer rotas | schedule volunteers for events | volunteer rotas are managed by email | nonprofit
donation receipts | send tax receipts for donations | donation receipts are written by hand | nonprofit
charity pricing | get a discount as a registered charity | the price is too high for a small charity | nonprofit
single sign-on | sign in with single sign-on | staff need yet another password | enterprise
user provisioning | add and remove users from our directory automatically | leavers keep access until someone removes them by hand | enterprise
audit logs | export audit logs for compliance | the security team cannot get the audit logs they need | enterprise
data residency | keep our data stored in the EU | nobody can tell us where our data is stored | enterprise
discount approval | require approval for discounts above a limit | anyone can give any discount without approval | enterprise
team roles | set up roles per team and department | roles cannot be limited to one team | enterprise agencies
weekly sessions | book a weekly recurring appointment in one go | weekly sessions have to be booked one at a time | healthcare education
""".strip().splitlines()
)

# --- wording --------------------------------------------------------------------------------------

# Words that can stand in for each other in any statement above (same part of speech and number).
_SYNONYM_GROUPS = (
    ("invoices", "bills"), ("invoice", "bill"), ("clients", "customers"), ("client", "customer"),
    ("appointments", "bookings"), ("appointment", "booking"), ("calendar", "schedule", "diary"),
    ("slow", "sluggish", "laggy"), ("quickly", "fast"), ("automatically", "on its own", "without us lifting a finger"),
    ("see", "view", "check"), ("export", "send", "push"), ("spreadsheet", "Excel sheet"),
    ("staff", "team"), ("forever", "ages", "an eternity"), ("confusing", "unclear"),
    ("ugly", "awful", "dated"), ("text", "SMS"), ("phone", "mobile"), ("email", "e-mail"), ("reliably", "properly"),
    ("easily", "without fuss"), ("instantly", "right away", "in real time"), ("simple", "basic"),
    ("separate", "different"), ("accounting", "bookkeeping"), ("report", "summary"), ("reports", "dashboards"),
    ("notifications", "alerts"), ("several", "a few", "many"),
    ("chasing", "following up"), ("outdated", "old"), ("busy", "hectic"),
)
SYNONYMS: dict[str, tuple[str, ...]] = {word: group for group in _SYNONYM_GROUPS for word in group}
SYNONYM_RATE = 0.45
CONTEXT_RATE = 0.28
TYPO_RATE = 0.10
DROP_RATE = 0.10

PAIN_NOTE = (
    "{C}", "{C}", "{C}", "Frustrated that {c}", "Complains that {c}", "Says {c}", "Big problem: {c}",
    "{C}, which wastes a lot of time", "Struggles because {c}", "Main pain is that {c}", "Annoyed that {c}",
    "Mentioned twice that {c}", "Problem: {c}", "{C} and it costs them", "Worried that {c}",
)
PAIN_VOICE = (
    "I hate that {c}", "{C}, it drives me mad", "Honestly, {c}", "The worst part is that {c}",
    "What kills us is that {c}", "You know, {c}", "It's a nightmare, {c}", "{C}. Every time",
    "We lose so much time because {c}", "My biggest problem is {c}", "Right now {c}",
)
NEED_NOTE = (
    "{V}", "{V}", "{V}", "Wants to {v}", "Needs to {v}", "Needs a way to {v}", "Asked for a way to {v}",
    "Would like to {v}", "Being able to {v}", "Ability to {v}", "It should be possible to {v}",
    "Must be able to {v}", "Wishes they could {v}", "Feature request: {v}", "Expects to {v}",
)
NEED_VOICE = (
    "I just want to {v}", "We really need to {v}", "If we could {v}, that would save me hours",
    "Please just let us {v}", "It would be amazing to {v}", "All I want is to {v}", "Why can't I {v}",
    "We'd pay more to {v}", "I need to {v}", "Can you make it possible to {v}",
)
OBSERVATION_OF_PAIN = (
    "Showed us that {c}", "Watched it happen: {c}", "Spent several minutes on this because {c}",
    "Confirmed in the account that {c}", "Screen share showed {c}", "Sighed when {c}",
)
OBSERVATION_OF_NEED = (
    "Tried to {v} and gave up", "Looked for a way to {v}", "Keeps a workaround so they can {v}",
    "Went straight to the settings to {v}", "Clicked around looking for how to {v}",
)
NEUTRAL_QUOTES = (
    "We've been on {product} for about {m} months", "I'm not a tech person, I just need it to work",
    "Most of our clients are regulars", "The front desk does everything on the tablet",
    "We looked at {competitor} last year", "My team is {n} people, half of them part-time",
    "We switched from paper to {product} when we opened the second site", "Mondays are always the worst",
    "I do the admin in the evenings after the kids are in bed", "Our bookkeeper comes in once a month",
    "It mostly does what we need", "We have {n} {staff} and I'm the only one who touches the settings",
)
NEUTRAL_OBSERVATIONS = (
    "Runs {n} {units} with {m} {staff}", "On the {plan} plan since {year}", "Uses {product} mainly on a tablet",
    "Keeps a paper backup of the week", "Joined the call between two meetings", "Decision maker is the {role}",
    "Moved from {competitor} about a year ago", "Has {n} {staff}, most of them part-time",
    "Books about {m} appointments a week", "Pays for {n} seats", "Very positive about the booking page",
    "Had the calendar open on a second screen the whole time", "Also evaluating {competitor}",
)
FOLLOW_UPS = (
    "Share the {label} roadmap item ({researcher})", "Invite to the {label} beta ({researcher})",
    "Send the help article on {label} ({researcher})", "Check back in a month about {label} ({researcher})",
)
PARAGRAPHS = (
    "Talked for about {m} minutes.", "Joined by the {role}.", "{Business}.",
    "Signed up {m} months ago after trying {competitor}.", "Mostly uses the calendar and invoices.",
    "Call was a bit rushed.", "Recording available in the shared drive.",
)
HEADINGS = {
    "pains": ("Pains", "Pains", "Pain points", "Problems", "Frustrations"),
    "needs": ("Needs", "Needs", "Requests", "Wishes", "Needs"),
    "quotes": ("Quotes", "Quotes", "Verbatims", "In their words"),
    "observations": ("Observations", "Observations", "What we saw", "Field notes"),
    "follow-ups": ("Follow-ups", "Next steps"),
}
TICKET_SUBJECTS = (
    "Hi, {c}. Can you help?", "Subject: {label} - {c}!!", "{C}. {need} Thanks", "hello team, {c}. {need}",
    "Urgent: {c}", "{C} again. This is the 3rd time I write about it.",
)
SURVEY_TEXTS = ("{C}. {need}", "{need}", "{C}", "tbh {c}", "{need} {C} at the moment.")
TICKET_NOTES = (
    "Agent reproduced the issue", "Escalated to engineering", "Sent the workaround article",
    "Customer replied that the workaround still needs manual fixes", "Tagged as feature request: {label}",
    "Linked to the known issue on {label}",
)


class Phrasing:
    """Turns an underlying need or pain into one statement, with the variety real notes have."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.random = rng.random
        self.choice = rng.choice
        self.randint = rng.randint

    # Content words, context and noise.

    def reword(self, text: str) -> str:
        random = self.random
        words = text.split(" ")
        for i, word in enumerate(words):
            group = SYNONYMS.get(word)
            if group is not None and random() < SYNONYM_RATE:
                words[i] = self.choice(group)
        return " ".join(words)

    def context(self, segment: str) -> str:
        if self.random() >= CONTEXT_RATE:
            return ""
        x = self.random()
        if x < 0.4:
            return self.choice(COMMON_CONTEXT)
        if x < 0.7:
            return self.choice(SEGMENT_INFO[segment]["context"])
        info = SEGMENT_INFO[segment]
        return self.choice(COUNTED_CONTEXT).format(
            n=self.randint(2, 40), units=self.choice(info["units"]), staff=self.choice(info["staff"])
        )

    def roughen(self, text: str) -> str:
        """Typos, a dropped word and odd casing, each in some statements."""
        random = self.random
        if random() < TYPO_RATE:
            text = self._typo(text)
        if random() < DROP_RATE:
            words = text.split(" ")
            if len(words) >= 6:
                del words[self.randint(1, len(words) - 1)]
                text = " ".join(words)
        x = random()
        if x < 0.05:
            text = text.lower()
        elif x < 0.09:
            text = text[0].lower() + text[1:]
        return text

    def _typo(self, text: str) -> str:
        words = text.split(" ")
        for _ in range(4):
            i = self.randint(0, len(words) - 1)
            word = words[i]
            if len(word) >= 4 and word.isalpha():
                j = self.randint(1, len(word) - 2)
                op = self.randint(0, 2)
                if op == 0:
                    word = word[:j] + word[j + 1] + word[j] + word[j + 2 :]
                elif op == 1:
                    word = word[:j] + word[j + 1 :]
                else:
                    word = word[:j] + word[j] + word[j:]
                words[i] = word
                return " ".join(words)
        return text

    def end(self, text: str, voice: bool = False) -> str:
        x = self.random()
        if voice:
            return text + ("." if x < 0.7 else "!" if x < 0.88 else "...")
        return text + ("" if x < 0.5 else "." if x < 0.92 else "!" if x < 0.96 else "...")

    # Statements.

    def clause(self, base: str, segment: str) -> str:
        """The words of a need or pain, reworded, sometimes with a context clause."""
        return self.reword(base) + self.context(segment)

    def _fill(self, template: str, base: str, segment: str) -> str:
        """`template` with {c}/{v} (as is) and {C}/{V} (capitalised) replaced by the reworded `base`."""
        clause = self.clause(base, segment)
        capital = clause[0].upper() + clause[1:]
        return template.replace("{c}", clause).replace("{v}", clause).replace("{C}", capital).replace("{V}", capital)

    def pain(self, topic: Topic, segment: str, voice: bool = False) -> str:
        """The pain of `topic` as a note-taker writes it, or in the customer's voice."""
        template = self.choice(PAIN_VOICE if voice else PAIN_NOTE)
        return self.end(self.roughen(self._fill(template, topic.pain, segment)), voice)

    def need(self, topic: Topic, segment: str, voice: bool = False) -> str:
        """The need of `topic` as a note-taker writes it, or in the customer's voice."""
        template = self.choice(NEED_VOICE if voice else NEED_NOTE)
        text = self.roughen(self._fill(template, topic.need, segment))
        if template.startswith(("Why", "Can you")):
            return text + "?"
        return self.end(text, voice)

    def observation(self, topic: Topic, segment: str) -> str:
        """What the researcher saw of the pain or need of `topic`."""
        if self.random() < 0.55:
            text = self._fill(self.choice(OBSERVATION_OF_PAIN), topic.pain, segment)
        else:
            text = self._fill(self.choice(OBSERVATION_OF_NEED), topic.need, segment)
        return self.end(self.roughen(text))

    def neutral(self, templates: tuple[str, ...], segment: str, role: str | None = None) -> str:
        """A context sentence that states neither a pain nor a need."""
        info = SEGMENT_INFO[segment]
        template = self.choice(templates)
        return template.format(
            n=self.randint(2, 40), m=self.randint(3, 60), units=self.choice(info["units"]),
            staff=self.choice(info["staff"]), role=role or self.choice(info["roles"]), product=PRODUCT,
            competitor=self.choice(COMPETITORS), plan=self.choice(PLANS), year=self.randint(2019, 2025),
            Business=self.business(segment).capitalize() if "{Business}" in template else "",
        )

    def business(self, segment: str) -> str:
        return self.choice(SEGMENT_INFO[segment]["business"]).format(n=self.randint(2, 30))


# --- popularity -----------------------------------------------------------------------------------


class TopicSampler:
    """Draws topics for a segment with long-tailed (Zipf-like) popularity.

    A few general topics are very common everywhere; most are rare; segment-only topics appear only in
    their segments, where they are boosted. Each segment also likes some general topics more than others.
    """

    def __init__(self, rng: random.Random, exponent: float = 1.0, offset: float = 2.5) -> None:
        self.random = rng.random
        general = [i for i, t in enumerate(TOPICS) if not t.segments]
        specific = [i for i, t in enumerate(TOPICS) if t.segments]
        rng.shuffle(general)
        rng.shuffle(specific)
        rest = general[8:] + specific
        rng.shuffle(rest)
        order = general[:8] + rest  # the most popular topics are always general ones
        weight = {index: 1.0 / (rank + offset) ** exponent for rank, index in enumerate(order)}
        self.tables: dict[str, tuple[list[int], list[float]]] = {}
        for segment in SEGMENTS:
            indices, cumulative, total = [], [], 0.0
            for index, topic in enumerate(TOPICS):
                if topic.segments:
                    if segment not in topic.segments:
                        continue
                    w = weight[index] * 4.0
                else:
                    w = weight[index] * rng.lognormvariate(0.0, 0.6)
                total += w
                indices.append(index)
                cumulative.append(total)
            self.tables[segment] = (indices, cumulative)

    def draw(self, segment: str) -> Topic:
        indices, cumulative = self.tables[segment]
        position = bisect.bisect_right(cumulative, self.random() * cumulative[-1])
        return TOPICS[indices[min(position, len(indices) - 1)]]

    def draw_several(self, segment: str, count: int) -> list[Topic]:
        chosen: list[Topic] = []
        for _ in range(count * 3):
            topic = self.draw(segment)
            if topic not in chosen:
                chosen.append(topic)
                if len(chosen) == count:
                    break
        return chosen


# --- notes ----------------------------------------------------------------------------------------


def _weighted(rng: random.Random, weights: dict[T, float]) -> T:
    return rng.choices(tuple(weights), tuple(weights.values()))[0]


def _yaml_list(values: list[str], indent: str) -> list[str]:
    return [f"{indent}- {json.dumps(value, ensure_ascii=False)}" for value in values]


@dataclass
class Participant:
    pid: str
    segment: str
    researcher: str
    role: str
    business: str
    account: str | None
    last_date: dt.date
    visits_left: int


@dataclass
class Totals:
    markdown_files: int = 0
    yaml_files: int = 0
    notes: int = 0
    statements: int = 0


class CorpusBuilder:
    """Plans notes to hold exactly `statements` statements and writes them into `out`."""

    def __init__(self, out: Path, statements: int, seed: int) -> None:
        self.out = out
        self.budget = statements
        self.rng = random.Random(seed)
        self.phrasing = Phrasing(self.rng)
        self.topics = TopicSampler(self.rng)
        self.totals = Totals()
        self.used_names: set[str] = set()
        self.made_dirs: set[Path] = set()
        self.pending: list[Participant] = []
        self.counters = {"P": 0, "R": 0, "T": 0, "survey": 0, "support-ticket": 0}
        self._segments = (SEGMENTS, tuple(SEGMENT_WEIGHTS.values()))

    # Small helpers.

    def segment(self) -> str:
        return self.rng.choices(*self._segments)[0]

    def day(self, earliest: int = 0) -> dt.date:
        """A day in the range, more likely later on (research volume grows over time)."""
        fraction = self.rng.random() ** 0.75
        return FIRST_DAY + dt.timedelta(days=earliest + int(fraction * (SPAN_DAYS - earliest)))

    def next_id(self, prefix: str) -> str:
        self.counters[prefix] += 1
        return f"{prefix}-{self.counters[prefix]:05d}"

    def write(self, relative: str, lines: list[str]) -> None:
        path = self.out / relative
        if path.parent not in self.made_dirs:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.made_dirs.add(path.parent)
        with open(path, "w", encoding="utf-8", newline="\n") as handle:
            handle.write("\n".join(lines) + "\n")

    def unique(self, folder: str, stem: str, suffix: str) -> str:
        name, number = f"{folder}/{stem}{suffix}", 1
        while name in self.used_names:
            number += 1
            name = f"{folder}/{stem}-{number}{suffix}"
        self.used_names.add(name)
        return name

    def split(self, count: int, weights: dict[str, float], fixed: dict[str, int]) -> dict[str, int]:
        """How many statements of each section a note of `count` statements has, beyond `fixed`."""
        sizes = dict(fixed)
        names, values = tuple(weights), tuple(weights.values())
        for name in self.rng.choices(names, values, k=count - sum(fixed.values())):
            sizes[name] = sizes.get(name, 0) + 1
        return sizes

    # The plan.

    def build(self) -> Totals:
        rng = self.rng
        if self.budget >= 100:
            # Batch entries hold about 6.5 statements, Markdown notes about 12.
            batch_notes = round(BATCH_SHARE * self.budget / (0.7 * 12.1 + 0.3 * 6.5))
            while batch_notes >= MIN_BATCH // 2 and self.budget > 5 * MAX_STATEMENTS:
                size = min(rng.randint(MIN_BATCH, MAX_BATCH), batch_notes)
                if 0 < batch_notes - size < MIN_BATCH:
                    size = batch_notes if batch_notes <= MAX_BATCH else batch_notes - MIN_BATCH
                batch_notes -= size
                self.batch(size)
        while self.budget > 0:
            if self.budget <= MAX_STATEMENTS:
                count = self.budget
            else:
                count = round(rng.triangular(MIN_STATEMENTS, MAX_STATEMENTS, 11))
                if self.budget - count < MIN_STATEMENTS:
                    count = self.budget - MIN_STATEMENTS
            self.markdown_note(count)
        return self.totals

    def spend(self, count: int) -> None:
        self.budget -= count
        self.totals.statements += count
        self.totals.notes += 1

    # Markdown notes.

    def participant(self) -> tuple[Participant, dt.date]:
        rng = self.rng
        if self.pending and rng.random() < 0.3:
            index = rng.randrange(len(self.pending))
            person = self.pending[index]
            self.pending[index] = self.pending[-1]
            self.pending.pop()
            date = person.last_date + dt.timedelta(days=rng.randint(20, 160))
            if date <= LAST_DAY:
                person.visits_left -= 1
                person.last_date = date
                if person.visits_left > 0:
                    self.pending.append(person)
                return person, date
        segment = self.segment()
        date = self.day()
        account = f"ACC-{rng.randint(1000, 9999)}" if rng.random() < 0.4 else None
        person = Participant(
            self.next_id("P"), segment, _weighted(rng, RESEARCHER_WEIGHTS),
            rng.choice(SEGMENT_INFO[segment]["roles"]), self.phrasing.business(segment), account, date,
            _weighted(rng, VISITS_WEIGHTS) - 1,
        )
        if person.visits_left > 0:
            self.pending.append(person)
        return person, date

    def markdown_note(self, count: int) -> None:
        rng, say = self.rng, self.phrasing
        person, date = self.participant()
        segment = person.segment
        kind = _weighted(rng, MARKDOWN_KIND_WEIGHTS)
        researcher = person.researcher if rng.random() < 0.8 else _weighted(rng, RESEARCHER_WEIGHTS)
        topics = self.topics.draw_several(segment, 1 + count // 4 + rng.randint(0, 1))
        sizes = self.split(
            count,
            {"pains": 0.32, "needs": 0.24, "quotes": 0.21, "observations": 0.17, "paragraph": 0.03, "follow-ups": 0.03},
            {"needs": 1},
        )
        if sizes.get("paragraph", 0) > 1:
            sizes["observations"] = sizes.get("observations", 0) + sizes["paragraph"] - 1
            sizes["paragraph"] = 1

        title = None
        if rng.random() < 0.35:
            title = f"{kind.replace('-', ' ').capitalize()}: {person.business}" if rng.random() < 0.4 else (
                f"{person.role.capitalize()}, {person.business}"
            )
        front = [
            "---", f"date: {date.isoformat()}", f"kind: {kind}", f"segment: {segment}",
            f"participant: {person.pid}", f"researcher: {researcher}",
        ]
        if title:
            front.append(f"title: {json.dumps(title, ensure_ascii=False)}")
        if rng.random() < 0.5:
            front.append(f"role: {json.dumps(person.role)}")
        if person.account:
            front.append(f"account: {person.account}")
        if rng.random() < 0.5:
            front.append(f"tags: [{', '.join(t.tag for t in topics[:3])}]")
        if kind in ("sales-call", "cancellation") and rng.random() < 0.6:
            front.append(f"competitors: [{json.dumps(rng.choice(COMPETITORS))}]")
        if kind in ("sales-call", "usability-test") and rng.random() < 0.5:
            front.append(f'source: "https://drive.example.com/recordings/{person.pid.lower()}-{date.isoformat()}"')
        if rng.random() < 0.3:
            front.append("consent: true")
        front.append("---")

        lines = front
        if title and rng.random() < 0.6:
            lines += [f"# {title}", ""]
        if sizes.get("paragraph"):
            lines += [say.neutral(PARAGRAPHS, segment), ""]
        pick = rng.choice
        for section in ("pains", "needs", "quotes", "observations", "follow-ups"):
            n = sizes.get(section, 0)
            if not n:
                continue
            lines.append(f"## {pick(HEADINGS[section])}")
            for _ in range(n):
                topic = pick(topics)
                if section == "pains":
                    lines.append("- " + say.pain(topic, segment, rng.random() < 0.15))
                elif section == "needs":
                    lines.append("- " + say.need(topic, segment, rng.random() < 0.15))
                elif section == "quotes":
                    x = rng.random()
                    if x < 0.35:
                        text = say.pain(topic, segment, True)
                    elif x < 0.65:
                        text = say.need(topic, segment, True)
                    else:
                        text = say.end(say.neutral(NEUTRAL_QUOTES, segment), True)
                    lines += [f'> "{text}"' if rng.random() < 0.85 else f"> {text}", ""]
                elif section == "observations":
                    if rng.random() < 0.5:
                        lines.append("- " + say.observation(topic, segment))
                    else:
                        lines.append("- " + say.end(say.neutral(NEUTRAL_OBSERVATIONS, segment, role=person.role)))
                else:
                    lines.append("- " + pick(FOLLOW_UPS).format(label=topic.label, researcher=researcher))
            if lines[-1]:
                lines.append("")
        while not lines[-1]:
            lines.pop()

        folder = str(date.year)
        self.write(self.unique(folder, f"{date.isoformat()}-{segment}-{person.pid.lower()}", ".md"), lines)
        self.totals.markdown_files += 1
        self.spend(count)

    # YAML batches.

    def batch(self, size: int) -> None:
        rng = self.rng
        kind = "survey" if rng.random() < 0.5 else "support-ticket"
        self.counters[kind] += 1
        window = 10 if kind == "survey" else 28
        export = self.day(earliest=window)
        researcher = _weighted(rng, RESEARCHER_WEIGHTS)
        if kind == "survey":
            lines = [f"# In-app survey run by {researcher}, open answers, exported {export.isoformat()}.",
                     '# Question: "What is the one thing that would make Slotwise more useful for you?"']
        else:
            lines = [(f"# Support tickets tagged feedback, {(export - dt.timedelta(days=window)).isoformat()} "
                      f"to {export.isoformat()}, exported by {researcher}.")]
        entries = []
        for _ in range(size):
            date = export - dt.timedelta(days=rng.randint(0, window))
            entries.append((date, self.batch_entry(kind, date, researcher)))
        entries.sort(key=lambda pair: pair[0])
        for _, entry in entries:
            lines += entry
        folder = f"{export.year}/exports"
        self.write(self.unique(folder, f"{export.isoformat()}-{kind}-export-{self.counters[kind]}", ".yaml"), lines)
        self.totals.yaml_files += 1

    def batch_entry(self, kind: str, date: dt.date, researcher: str) -> list[str]:
        rng, say = self.rng, self.phrasing
        segment = self.segment()
        survey = kind == "survey"
        count = rng.randint(MIN_STATEMENTS, 8 if survey else 10)
        count = min(count, self.budget - MIN_STATEMENTS)
        topics = self.topics.draw_several(segment, 1 + count // 4)
        weights = (
            {"pains": 0.4, "needs": 0.35, "quotes": 0.25} if survey else {"pains": 0.45, "needs": 0.3, "observations": 0.25}
        )
        fixed = {"needs": 1, "text": 1} if rng.random() < 0.9 else {"needs": 1}
        sizes = self.split(count, weights, fixed)
        pid = self.next_id("R" if survey else "T")
        lines = [f"- date: {date.isoformat()}", f"  kind: {kind}", f"  segment: {segment}", f"  participant: {pid}"]
        if survey:
            lines.append(f"  researcher: {researcher}")
        else:
            lines.append(f'  source: "https://support.example.com/t/{pid[2:]}"')
        pick = rng.choice
        for field in ("pains", "needs", "quotes", "observations"):
            n = sizes.get(field, 0)
            if not n:
                continue
            values = []
            for _ in range(n):
                topic = pick(topics)
                if field == "pains":
                    values.append(say.pain(topic, segment, rng.random() < 0.3))
                elif field == "needs":
                    values.append(say.need(topic, segment, rng.random() < 0.3))
                elif field == "quotes":
                    values.append(say.pain(topic, segment, True) if rng.random() < 0.5 else say.need(topic, segment, True))
                else:
                    values.append(say.end(pick(TICKET_NOTES).format(label=topic.label)))
            lines.append(f"  {field}:")
            lines += _yaml_list(values, "    ")
        if sizes.get("text"):
            topic = pick(topics)
            clause = say.roughen(say.clause(topic.pain, segment))
            need = say.need(topic, segment, True)
            template = pick(SURVEY_TEXTS if survey else TICKET_SUBJECTS)
            text = template.format(c=clause, C=clause[0].upper() + clause[1:], need=need, label=topic.label)
            lines.append(f"  text: {json.dumps(text, ensure_ascii=False)}")
        self.spend(count)
        return lines


# --- command line ---------------------------------------------------------------------------------


def prepare(out: Path, force: bool) -> None:
    """Refuse a non-empty folder unless `force`; with `force`, delete only the note files inside it."""
    if out.exists() and not out.is_dir():
        sys.exit(f"make_corpus: {out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()):
        if not force:
            sys.exit(f"make_corpus: {out} is not empty; pass --force to replace the .md and .yaml files in it")
        for path in sorted(out.rglob("*")):
            if path.is_file() and path.suffix in (".md", ".yaml"):
                path.unlink()
    out.mkdir(parents=True, exist_ok=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("statements", type=int, metavar="N", help="how many statements in total (at least 5)")
    parser.add_argument("--out", type=Path, help="output folder (default: bench/corpora/<N>)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default: 1)")
    parser.add_argument("--force", action="store_true", help="replace the note files in a non-empty folder")
    args = parser.parse_args(argv)
    if args.statements < MIN_STATEMENTS:
        parser.error(f"N must be at least {MIN_STATEMENTS} (one note)")
    out = args.out if args.out is not None else REPO_ROOT / "bench" / "corpora" / str(args.statements)
    prepare(out, args.force)
    started = time.perf_counter()
    totals = CorpusBuilder(out, args.statements, args.seed).build()
    elapsed = time.perf_counter() - started
    print(f"files:      {totals.markdown_files + totals.yaml_files:,} "
          f"({totals.markdown_files:,} Markdown, {totals.yaml_files:,} YAML batches)")
    print(f"notes:      {totals.notes:,}")
    print(f"statements: {totals.statements:,}")
    print(f"folder:     {out}")
    print(f"seconds:    {elapsed:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
