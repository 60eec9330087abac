//! The command catalogue: names, subcommands and options of every command.
//!
//! The CLI uses it to parse `studybot ask` words the way Discord parses a
//! slash command, and `/help` lists it. The Discord adapter declares the same
//! commands with poise; a test keeps the two in step.

#[derive(Debug, Clone, Copy)]
pub struct OptionSpec {
    pub name: &'static str,
    pub description: &'static str,
    pub required: bool,
}

#[derive(Debug, Clone, Copy)]
pub struct CommandSpec {
    pub name: &'static str,
    pub description: &'static str,
    pub options: &'static [OptionSpec],
    pub subcommands: &'static [CommandSpec],
}

impl CommandSpec {
    pub fn subcommand(&self, name: &str) -> Option<&'static CommandSpec> {
        self.subcommands.iter().find(|s| s.name == name)
    }
    pub fn option(&self, name: &str) -> Option<&'static OptionSpec> {
        self.options.iter().find(|o| o.name == name)
    }
}

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "explain",
        description: "Explain a term, person, place, document or organisation",
        options: &[OptionSpec {
            name: "term",
            description: "What to explain, e.g. troika, Yezhov, Order 00447",
            required: true,
        }],
        subcommands: &[],
    },
    CommandSpec {
        name: "date",
        description: "What happened on a date, in a month, a year or a period",
        options: &[OptionSpec {
            name: "when",
            description: "e.g. 1 December 1934, July 1937, 1936-1938, today, on this day",
            required: true,
        }],
        subcommands: &[],
    },
    CommandSpec {
        name: "timeline",
        description: "Browse the events of a period or a tag, page by page",
        options: &[
            OptionSpec {
                name: "from",
                description: "Start: a date or year, e.g. 1936",
                required: false,
            },
            OptionSpec {
                name: "to",
                description: "End: a date or year, e.g. 1938",
                required: false,
            },
            OptionSpec {
                name: "tag",
                description: "Only events with this tag, e.g. trials, army, nkvd",
                required: false,
            },
            PICTURE_OPTION,
        ],
        subcommands: &[],
    },
    CommandSpec {
        name: "quiz",
        description: "A practice question just for you",
        options: &[
            OptionSpec {
                name: "tag",
                description: "Only questions on this topic, e.g. trials, army, nkvd",
                required: false,
            },
            OptionSpec {
                name: "difficulty",
                description: "easy, medium or hard",
                required: false,
            },
        ],
        subcommands: &[],
    },
    CommandSpec {
        name: "review",
        description: "Revise what you got wrong, when it is due",
        options: &[],
        subcommands: &[],
    },
    CommandSpec {
        name: "daily",
        description: "Today's class question",
        options: &[],
        subcommands: &[],
    },
    CommandSpec {
        name: "leaderboard",
        description: "The class leaderboard",
        options: &[
            OptionSpec {
                name: "period",
                description: "all-time, season or week",
                required: false,
            },
            PICTURE_OPTION,
        ],
        subcommands: &[],
    },
    CommandSpec {
        name: "stats",
        description: "Answers, accuracy, streaks and topics",
        options: &[OptionSpec {
            name: "user",
            description: "Whose stats (default: yours)",
            required: false,
        }],
        subcommands: &[],
    },
    CommandSpec {
        name: "competition",
        description: "A timed group quiz in this channel: speed points and a podium",
        options: &[],
        subcommands: &[
            CommandSpec {
                name: "start",
                description: "Start a competition in this channel",
                options: &[
                    OptionSpec {
                        name: "rounds",
                        description: "How many questions (1-20, default 5)",
                        required: false,
                    },
                    OptionSpec {
                        name: "seconds",
                        description: "Seconds per question (10-120, default 20)",
                        required: false,
                    },
                    OptionSpec {
                        name: "tag",
                        description: "Only questions with this tag, e.g. trials",
                        required: false,
                    },
                    OptionSpec {
                        name: "difficulty",
                        description: "Only questions of this difficulty",
                        required: false,
                    },
                ],
                subcommands: &[],
            },
            CommandSpec {
                name: "stop",
                description: "Stop this channel's competition (its starter or a teacher)",
                options: &[],
                subcommands: &[],
            },
        ],
    },
    CommandSpec {
        name: "settings",
        description: "Teacher settings: the daily question's channel, time and days",
        options: &[],
        subcommands: &[
            CommandSpec {
                name: "channel",
                description: "The channel the daily question is posted in",
                options: &[OptionSpec {
                    name: "channel",
                    description: "The class channel (or none)",
                    required: true,
                }],
                subcommands: &[],
            },
            CommandSpec {
                name: "time",
                description: "The local time of the daily post",
                options: &[OptionSpec {
                    name: "time",
                    description: "24-hour time, e.g. 07:30",
                    required: true,
                }],
                subcommands: &[],
            },
            CommandSpec {
                name: "timezone",
                description: "This server's time zone",
                options: &[OptionSpec {
                    name: "timezone",
                    description: "An IANA time zone, e.g. Europe/London",
                    required: true,
                }],
                subcommands: &[],
            },
            CommandSpec {
                name: "days",
                description: "The weekdays the daily question is posted",
                options: &[OptionSpec {
                    name: "days",
                    description: "e.g. mon-fri, every day, mon,wed,fri",
                    required: true,
                }],
                subcommands: &[],
            },
            CommandSpec {
                name: "role",
                description: "A role to mention in the daily post",
                options: &[OptionSpec {
                    name: "role",
                    description: "The role to mention (or none)",
                    required: true,
                }],
                subcommands: &[],
            },
            CommandSpec {
                name: "teacher-role",
                description: "The role that counts as teachers",
                options: &[OptionSpec {
                    name: "role",
                    description: "The teachers' role (or none)",
                    required: true,
                }],
                subcommands: &[],
            },
            CommandSpec {
                name: "competitions",
                description: "Who may start a competition",
                options: &[OptionSpec {
                    name: "who",
                    description: "everyone (the default) or teachers",
                    required: true,
                }],
                subcommands: &[],
            },
            CommandSpec {
                name: "show",
                description: "Show the settings and how to set studybot up",
                options: &[],
                subcommands: &[],
            },
        ],
    },
    CommandSpec {
        name: "season",
        description: "Teacher tools: start or end a leaderboard season",
        options: &[],
        subcommands: &[
            CommandSpec {
                name: "start",
                description: "Start a named season",
                options: &[OptionSpec {
                    name: "name",
                    description: "The season's name, e.g. Autumn term",
                    required: false,
                }],
                subcommands: &[],
            },
            CommandSpec {
                name: "end",
                description: "End the running season (asks for confirmation)",
                options: &[],
                subcommands: &[],
            },
        ],
    },
    CommandSpec {
        name: "pack",
        description: "Teacher tools: the questions your class gets",
        options: &[],
        subcommands: &[
            CommandSpec {
                name: "upload",
                description: "Add a pack for this server: a .toml pack, a Red list, an Anki deck or a Kahoot sheet",
                options: &[OptionSpec {
                    name: "file",
                    description: "The file (.toml, .yaml, .apkg, .txt or .xlsx; at most 1 MiB)",
                    required: true,
                }],
                subcommands: &[],
            },
            CommandSpec {
                name: "list",
                description: "The packs this server's questions come from",
                options: &[],
                subcommands: &[],
            },
            CommandSpec {
                name: "enable",
                description: "Ask a pack's questions in this server again",
                options: PACK_OPTION,
                subcommands: &[],
            },
            CommandSpec {
                name: "disable",
                description: "Stop asking a pack's questions in this server",
                options: PACK_OPTION,
                subcommands: &[],
            },
            CommandSpec {
                name: "remove",
                description: "Delete a pack uploaded for this server (asks for confirmation)",
                options: PACK_OPTION,
                subcommands: &[],
            },
            CommandSpec {
                name: "reports",
                description: "Problems students reported with questions",
                options: &[],
                subcommands: &[],
            },
        ],
    },
    CommandSpec {
        name: "score",
        description: "Teacher tools: correct a student's marks",
        options: &[],
        subcommands: &[CommandSpec {
            name: "accept",
            description: "Count an answer marked wrong as right",
            options: &[OptionSpec {
                name: "user",
                description: "The student",
                required: true,
            }],
            subcommands: &[],
        }],
    },
    CommandSpec {
        name: "export",
        description: "Teacher tools: export the class's scores",
        options: &[],
        subcommands: &[CommandSpec {
            name: "scores",
            description: "The scores as a CSV file for a spreadsheet",
            options: &[OptionSpec {
                name: "season",
                description: "current, or a season's name (default: all time)",
                required: false,
            }],
            subcommands: &[],
        }],
    },
    CommandSpec {
        name: "student",
        description: "Teacher tools: manage one student's data",
        options: &[],
        subcommands: &[CommandSpec {
            name: "remove",
            description: "Delete a student's answers and scores in this server",
            options: &[OptionSpec {
                name: "user",
                description: "The student",
                required: true,
            }],
            subcommands: &[],
        }],
    },
    CommandSpec {
        name: "class",
        description: "Teacher tools: how the class is doing",
        options: &[],
        subcommands: &[CommandSpec {
            name: "report",
            description: "The weakest questions and topics this season",
            options: &[],
            subcommands: &[],
        }],
    },
    CommandSpec {
        name: "privacy",
        description: "Your data: delete everything studybot stores about you",
        options: &[],
        subcommands: &[CommandSpec {
            name: "delete-me",
            description: "Delete your answers, scores and review schedule everywhere",
            options: &[],
            subcommands: &[],
        }],
    },
    CommandSpec {
        name: "help",
        description: "What studybot can do and how to set it up",
        options: &[],
        subcommands: &[],
    },
];

const PICTURE_OPTION: OptionSpec = OptionSpec {
    name: "picture",
    description: "Also send it as a picture (true or false)",
    required: false,
};

const PACK_OPTION: &[OptionSpec] = &[OptionSpec {
    name: "pack",
    description: "The pack's id (see /pack list)",
    required: true,
}];

pub fn command(name: &str) -> Option<&'static CommandSpec> {
    COMMANDS.iter().find(|c| c.name == name)
}
