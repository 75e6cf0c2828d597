/** The condition (WHERE) language: typed expression trees compiled once, evaluated per message. */
package io.gatehouse.router.internal.condition;
