/*
 * Tokens of the IoT Hub route language: FROM <source> [WHERE <condition>] INTO <sink>.
 *
 * Identifier and $property character classes follow IoT Edge so that names with '-', '.', '*',
 * digits etc. lex as one identifier there and here (operators next to a name need whitespace,
 * as in IoT Edge). Unlike IoT Edge, the source path after FROM is lexed in its own mode, so a
 * path ending in '/*' can never open a comment that swallows the WHERE clause.
 */
lexer grammar RouteLexer;

SELECT      : S E L E C T ;
FROM        : F R O M -> pushMode(PATH) ;
WHERE       : W H E R E ;
INTO        : I N T O ;

// The compiler checks escapes, so a bad one gets a precise message instead of a lexer error.
STRING
    : '"' ( '\\' . | ~["\\] )* '"'
    | '\'' ( '\\' . | ~['\\] )* '\''
    ;
UNTERMINATED_STRING
    : '"' ( '\\' . | ~["\\] )*
    | '\'' ( '\\' . | ~['\\] )*
    ;

// A leading '-' belongs to the number (as in IoT Edge); otherwise "-5" would lex as a name.
INTEGER     : '-'? DIGIT+ ;
HEX         : '0' [xX] HEX_DIGIT+ ;
REAL
    : '-'? DIGIT* '.' DIGIT+ EXPONENT?
    | '-'? DIGIT+ EXPONENT
    ;

TRUE        : 'true' ;
FALSE       : 'false' ;
NULL        : 'null' ;
UNDEFINED   : 'undefined' ;

OPEN_PARENS : '(' ;
CLOSE_PARENS: ')' ;
OPEN_BRACE  : '{' ;
CLOSE_BRACE : '}' ;
COMMA       : ',' ;
PLUS        : '+' ;
MINUS       : '-' ;
STAR        : '*' ;
SLASH       : '/' ;
PERCENT     : '%' ;
AND         : A N D ;
OR          : O R ;
NOT         : N O T ;
OP_EQ       : '=' ;
OP_NE       : '!=' ;
OP_LTGT     : '<>' ;
OP_LE       : '<=' ;
OP_GE       : '>=' ;
OP_GT       : '>' ;
OP_LT       : '<' ;
OP_CONCAT   : '||' ;
OP_COALESCE : '??' ;

SYS_PROP    : '$' SYS_PROP_CHAR+ ;
ID          : ID_CHAR+ ;

WS          : [ \t\r\n]+ -> skip ;
COMMENT     : '/*' .*? '*/' -> skip ;

// Anything else becomes a token the compiler reports with its position.
UNKNOWN_CHAR: . ;

mode PATH;
PATH_WS     : [ \t\r\n]+ -> skip ;
PATH_WHERE  : W H E R E -> type(WHERE), popMode ;
PATH_INTO   : I N T O -> type(INTO), popMode ;
PATH_SLASH  : '/' ;
PATH_STAR   : '*' ;
PATH_ID     : ID_CHAR+ ;
PATH_UNKNOWN: . -> type(UNKNOWN_CHAR) ;

fragment ID_CHAR       : ~[()<>@,;:\\"/[\]?={} \t\r\n] ;
fragment SYS_PROP_CHAR : ~[()<>@,;:\\"/?={} \t\r\n] ;
fragment DIGIT         : [0-9] ;
fragment HEX_DIGIT     : [0-9a-fA-F] ;
fragment EXPONENT      : [eE] [+\-]? DIGIT+ ;

fragment A : [aA] ; fragment C : [cC] ; fragment D : [dD] ; fragment E : [eE] ;
fragment F : [fF] ; fragment H : [hH] ; fragment I : [iI] ; fragment L : [lL] ;
fragment M : [mM] ; fragment N : [nN] ; fragment O : [oO] ; fragment R : [rR] ;
fragment S : [sS] ; fragment T : [tT] ; fragment W : [wW] ;
