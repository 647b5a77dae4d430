/// The OpenAPI 3.1 description of Skiff's own API (`/api/skiff/v1`), served at `/api/skiff/v1/openapi.json`.
enum SkiffOpenAPI {
    static let document = #"""
        {
          "openapi": "3.1.0",
          "info": {
            "title": "Skiff API",
            "version": "1",
            "description": "Skiff's own REST API (features MLflow lacks). Write requests take a JSON body with Content-Type application/json; errors are {error_code, message} with a 4xx status for client mistakes."
          },
          "paths": {
            "/api/skiff/v1/studies": {
              "post": {
                "summary": "Create a study, or get the existing one of that name",
                "operationId": "createStudy",
                "description": "Get-or-create: a second call with the same name and compatible settings returns the stored study (created=false); different space, direction, sampler or pruner is a 400.",
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "$ref": "#/components/schemas/CreateStudy"
                      }
                    }
                  }
                },
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/StudyCreated"
                        }
                      }
                    }
                  },
                  "400": {
                    "description": "A bad request: malformed JSON, a missing or invalid field, or a trial that is not running.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  }
                }
              },
              "get": {
                "summary": "List studies",
                "operationId": "listStudies",
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {
                      "application/json": {
                        "schema": {
                          "type": "object",
                          "properties": {
                            "studies": {
                              "type": "array",
                              "items": {
                                "$ref": "#/components/schemas/Study"
                              }
                            }
                          }
                        }
                      }
                    }
                  }
                }
              }
            },
            "/api/skiff/v1/studies/{study}": {
              "get": {
                "summary": "Get a study and its trial counts",
                "operationId": "getStudy",
                "parameters": [
                  {
                    "name": "study",
                    "in": "path",
                    "required": true,
                    "schema": {
                      "type": "string"
                    },
                    "description": "The study's name."
                  }
                ],
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {
                      "application/json": {
                        "schema": {
                          "type": "object",
                          "properties": {
                            "study": {
                              "$ref": "#/components/schemas/Study"
                            },
                            "finished_trials": {
                              "type": "integer"
                            },
                            "pending_trials": {
                              "type": "integer"
                            }
                          }
                        }
                      }
                    }
                  },
                  "404": {
                    "description": "Unknown study or trial.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  }
                }
              }
            },
            "/api/skiff/v1/studies/{study}/ask": {
              "post": {
                "summary": "Ask for a trial to evaluate",
                "operationId": "ask",
                "parameters": [
                  {
                    "name": "study",
                    "in": "path",
                    "required": true,
                    "schema": {
                      "type": "string"
                    },
                    "description": "The study's name."
                  }
                ],
                "description": "Fails running trials whose heartbeat is older than the study's grace period (queueing a retry with the same params when max_retries allows), then returns a waiting retry or a new trial from the sampler. With max_trials, answers 'wait' while finished plus running trials reach it and 'done' once finished trials (complete, pruned, failed and not retried) reach it.",
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "$ref": "#/components/schemas/Ask"
                      }
                    }
                  }
                },
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/AskResult"
                        }
                      }
                    }
                  },
                  "400": {
                    "description": "A bad request: malformed JSON, a missing or invalid field, or a trial that is not running.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  },
                  "404": {
                    "description": "Unknown study or trial.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  }
                }
              }
            },
            "/api/skiff/v1/studies/{study}/trials": {
              "get": {
                "summary": "List a study's trials by number",
                "operationId": "listTrials",
                "parameters": [
                  {
                    "name": "study",
                    "in": "path",
                    "required": true,
                    "schema": {
                      "type": "string"
                    },
                    "description": "The study's name."
                  }
                ],
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {
                      "application/json": {
                        "schema": {
                          "type": "object",
                          "properties": {
                            "trials": {
                              "type": "array",
                              "items": {
                                "$ref": "#/components/schemas/Trial"
                              }
                            }
                          }
                        }
                      }
                    }
                  },
                  "404": {
                    "description": "Unknown study or trial.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  }
                }
              }
            },
            "/api/skiff/v1/studies/{study}/best": {
              "get": {
                "summary": "The complete trial with the best value",
                "operationId": "bestTrial",
                "parameters": [
                  {
                    "name": "study",
                    "in": "path",
                    "required": true,
                    "schema": {
                      "type": "string"
                    },
                    "description": "The study's name."
                  }
                ],
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/TrialResponse"
                        }
                      }
                    }
                  },
                  "404": {
                    "description": "Unknown study, or no complete trial yet.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  }
                }
              }
            },
            "/api/skiff/v1/studies/{study}/trials/{number}/tell": {
              "post": {
                "summary": "Finish a running trial",
                "operationId": "tell",
                "parameters": [
                  {
                    "name": "study",
                    "in": "path",
                    "required": true,
                    "schema": {
                      "type": "string"
                    },
                    "description": "The study's name."
                  },
                  {
                    "name": "number",
                    "in": "path",
                    "required": true,
                    "schema": {
                      "type": "integer",
                      "minimum": 0
                    },
                    "description": "The trial's number in its study."
                  }
                ],
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "$ref": "#/components/schemas/Tell"
                      }
                    }
                  }
                },
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/TrialResponse"
                        }
                      }
                    }
                  },
                  "400": {
                    "description": "A bad request: malformed JSON, a missing or invalid field, or a trial that is not running.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  },
                  "404": {
                    "description": "Unknown study or trial.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  }
                }
              }
            },
            "/api/skiff/v1/studies/{study}/trials/{number}/report": {
              "post": {
                "summary": "Report an intermediate value; the answer says whether to prune",
                "operationId": "report",
                "parameters": [
                  {
                    "name": "study",
                    "in": "path",
                    "required": true,
                    "schema": {
                      "type": "string"
                    },
                    "description": "The study's name."
                  },
                  {
                    "name": "number",
                    "in": "path",
                    "required": true,
                    "schema": {
                      "type": "integer",
                      "minimum": 0
                    },
                    "description": "The trial's number in its study."
                  }
                ],
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "$ref": "#/components/schemas/Report"
                      }
                    }
                  }
                },
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {
                      "application/json": {
                        "schema": {
                          "type": "object",
                          "required": [
                            "should_prune"
                          ],
                          "properties": {
                            "should_prune": {
                              "type": "boolean"
                            }
                          }
                        }
                      }
                    }
                  },
                  "400": {
                    "description": "A bad request: malformed JSON, a missing or invalid field, or a trial that is not running.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  },
                  "404": {
                    "description": "Unknown study or trial.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  }
                }
              }
            },
            "/api/skiff/v1/studies/{study}/trials/{number}/heartbeat": {
              "post": {
                "summary": "Tell the server the trial's worker is alive",
                "operationId": "heartbeat",
                "parameters": [
                  {
                    "name": "study",
                    "in": "path",
                    "required": true,
                    "schema": {
                      "type": "string"
                    },
                    "description": "The study's name."
                  },
                  {
                    "name": "number",
                    "in": "path",
                    "required": true,
                    "schema": {
                      "type": "integer",
                      "minimum": 0
                    },
                    "description": "The trial's number in its study."
                  }
                ],
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {
                      "application/json": {
                        "schema": {
                          "type": "object"
                        }
                      }
                    }
                  },
                  "400": {
                    "description": "A bad request: malformed JSON, a missing or invalid field, or a trial that is not running.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  },
                  "404": {
                    "description": "Unknown study or trial.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  }
                }
              }
            }
          },
          "components": {
            "schemas": {
              "Error": {
                "type": "object",
                "required": [
                  "error_code",
                  "message"
                ],
                "properties": {
                  "error_code": {
                    "type": "string"
                  },
                  "message": {
                    "type": "string"
                  }
                }
              },
              "CreateStudy": {
                "type": "object",
                "required": [
                  "name",
                  "space"
                ],
                "properties": {
                  "name": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": 256
                  },
                  "space": {
                    "type": "string",
                    "description": "The search space in YAML (or JSON), e.g. 'lr: {type: float, low: 1e-5, high: 1e-1, log: true}'."
                  },
                  "direction": {
                    "type": "string",
                    "enum": [
                      "minimize",
                      "maximize"
                    ],
                    "default": "minimize"
                  },
                  "sampler": {
                    "type": "string",
                    "enum": [
                      "tpe",
                      "random",
                      "grid",
                      "cmaes"
                    ],
                    "default": "tpe"
                  },
                  "pruner": {
                    "type": "string",
                    "enum": [
                      "median",
                      "asha",
                      "hyperband",
                      "none"
                    ],
                    "default": "median"
                  },
                  "seed": {
                    "type": "integer",
                    "minimum": 0
                  },
                  "max_retries": {
                    "type": "integer",
                    "minimum": 0,
                    "default": 0
                  },
                  "heartbeat_grace_seconds": {
                    "type": "number",
                    "minimum": 0,
                    "default": 0,
                    "description": "0 disables stale-trial detection."
                  }
                }
              },
              "Study": {
                "type": "object",
                "properties": {
                  "name": {
                    "type": "string"
                  },
                  "space": {
                    "type": "string"
                  },
                  "direction": {
                    "type": "string"
                  },
                  "sampler": {
                    "type": "string"
                  },
                  "pruner": {
                    "type": "string"
                  },
                  "seed": {
                    "type": "string"
                  },
                  "max_retries": {
                    "type": "integer"
                  },
                  "heartbeat_grace_seconds": {
                    "type": "number"
                  },
                  "creation_time": {
                    "type": "integer"
                  }
                }
              },
              "StudyCreated": {
                "type": "object",
                "properties": {
                  "study": {
                    "$ref": "#/components/schemas/Study"
                  },
                  "created": {
                    "type": "boolean"
                  }
                }
              },
              "Ask": {
                "type": "object",
                "properties": {
                  "max_trials": {
                    "type": "integer",
                    "minimum": 1
                  }
                }
              },
              "AskResult": {
                "type": "object",
                "required": [
                  "status"
                ],
                "properties": {
                  "status": {
                    "type": "string",
                    "enum": [
                      "trial",
                      "wait",
                      "done"
                    ]
                  },
                  "trial": {
                    "$ref": "#/components/schemas/Trial"
                  }
                }
              },
              "Tell": {
                "type": "object",
                "properties": {
                  "state": {
                    "type": "string",
                    "enum": [
                      "complete",
                      "pruned",
                      "failed"
                    ],
                    "default": "complete"
                  },
                  "value": {
                    "type": "number",
                    "description": "Required and finite for a complete trial."
                  }
                }
              },
              "Report": {
                "type": "object",
                "required": [
                  "step",
                  "value"
                ],
                "properties": {
                  "step": {
                    "type": "integer",
                    "minimum": 0
                  },
                  "value": {
                    "type": "number"
                  }
                }
              },
              "TrialResponse": {
                "type": "object",
                "properties": {
                  "trial": {
                    "$ref": "#/components/schemas/Trial"
                  }
                }
              },
              "Trial": {
                "type": "object",
                "properties": {
                  "number": {
                    "type": "integer"
                  },
                  "state": {
                    "type": "string",
                    "enum": [
                      "running",
                      "waiting",
                      "complete",
                      "pruned",
                      "failed"
                    ]
                  },
                  "params": {
                    "type": "object",
                    "additionalProperties": {
                      "type": [
                        "number",
                        "integer",
                        "string",
                        "boolean"
                      ]
                    }
                  },
                  "value": {
                    "type": "number"
                  },
                  "intermediate_values": {
                    "type": "object",
                    "additionalProperties": {
                      "type": "number"
                    }
                  },
                  "start_time": {
                    "type": "integer"
                  },
                  "end_time": {
                    "type": "integer"
                  },
                  "heartbeat_time": {
                    "type": "integer"
                  },
                  "retry_of": {
                    "type": "integer",
                    "description": "The number of the failed trial this one retries."
                  }
                }
              }
            }
          }
        }
        """#
}
